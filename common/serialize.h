// Boost.Serialization helpers for the control plane (vocabulary, settings, metadata).
//
// Contract: ToBytes() writes a portable binary archive of any Boost-serializable value;
// FromBytes() reads it back and returns kCorruption instead of throwing when the bytes
// are not a valid archive of that type. Rows on the hot path never go through here.
#pragma once

#include <sstream>
#include <string>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/vector.hpp>

#include "common/status.h"

namespace item2vec {

template <typename T>
std::string ToBytes(const T& value) {
  std::ostringstream out;
  {
    boost::archive::binary_oarchive archive(out, boost::archive::no_header);
    archive << value;
  }
  return out.str();
}

template <typename T>
Status FromBytes(const std::string& bytes, T* value) {
  try {
    std::istringstream in(bytes);
    boost::archive::binary_iarchive archive(in, boost::archive::no_header);
    archive >> *value;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("cannot decode control message: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace item2vec
