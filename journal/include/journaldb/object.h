// Object: one stored object, a set of named typed fields under a primary key
// in a collection.
//
//   journaldb::Result<journaldb::Object> obj = db->Get("tasks", "t1");
//   if (!obj.ok()) return obj.status();   // not-found when there is no such object
//   if (const journaldb::Value* v = obj->Find("title")) std::cout << v->ToString();
//
// Thread safety: a value type.
#ifndef JOURNALDB_OBJECT_H_
#define JOURNALDB_OBJECT_H_

#include <map>
#include <string>
#include <string_view>

#include "journaldb/value.h"

namespace journaldb {

// Fields by name, ordered by name.
using FieldMap = std::map<std::string, Value, std::less<>>;

struct Object {
  std::string collection;
  std::string key;
  FieldMap fields;

  // The field's value, or nullptr if the object has no such field. The pointer
  // is valid until the object is modified or destroyed.
  const Value* Find(std::string_view field) const {
    auto it = fields.find(field);
    return it == fields.end() ? nullptr : &it->second;
  }
  friend bool operator==(const Object&, const Object&) = default;
};

}  // namespace journaldb

#endif  // JOURNALDB_OBJECT_H_
