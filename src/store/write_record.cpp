#include "store/write_record.h"

#include <cstring>

namespace dejima::store {
namespace {

constexpr unsigned char kVersion = 1;

class Out {
 public:
  explicit Out(std::string& s) : s_(s) {}
  void u8(unsigned char v) { s_.push_back(static_cast<char>(v)); }
  void u32(size_t v) {
    const auto x = static_cast<uint32_t>(v);
    char b[4];
    std::memcpy(b, &x, 4);
    s_.append(b, 4);
  }
  void i64(long long v) {
    char b[8];
    std::memcpy(b, &v, 8);
    s_.append(b, 8);
  }
  void str(std::string_view v) {
    u32(v.size());
    s_.append(v);
  }
  void list(const std::vector<std::string>& v) {
    u32(v.size());
    for (const auto& x : v) str(x);
  }

 private:
  std::string& s_;
};

// Reads what Out wrote; any read past the end makes ok() false (and reads zeros).
class In {
 public:
  explicit In(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  bool done() const { return at_ == s_.size(); }
  unsigned char u8() {
    if (!take(1)) return 0;
    return static_cast<unsigned char>(s_[at_ - 1]);
  }
  size_t u32() {
    uint32_t x = 0;
    if (take(4)) std::memcpy(&x, s_.data() + at_ - 4, 4);
    return x;
  }
  long long i64() {
    long long x = 0;
    if (take(8)) std::memcpy(&x, s_.data() + at_ - 8, 8);
    return x;
  }
  std::string str() {
    const size_t n = u32();
    if (!take(n)) return {};
    return std::string(s_.substr(at_ - n, n));
  }
  std::vector<std::string> list() {
    std::vector<std::string> out;
    for (size_t n = count(); n > 0 && ok_; --n) out.push_back(str());
    return out;
  }
  // A count of items of at least 4 bytes each: more than the bytes left is a damaged record.
  size_t count() {
    const size_t n = u32();
    if (n > (s_.size() - at_) / 4) ok_ = false;
    return ok_ ? n : 0;
  }

 private:
  bool take(size_t n) {
    if (!ok_ || n > s_.size() - at_) {
      ok_ = false;
      return false;
    }
    at_ += n;
    return true;
  }
  std::string_view s_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string encode_record(const WriteBatch& batch) {
  std::string s;
  size_t size = 16;
  for (const auto& w : batch.entities) size += w.id.size() + (w.doc ? w.doc->size() : 0) + 9;
  for (const auto& h : batch.history) {
    size += h.entity.id.size() + 64;
    for (const auto& r : h.instances) size += r.attr.size() + r.dataset_id.size() + r.json.size() + 44;
  }
  s.reserve(size);
  Out out(s);
  out.u8(kVersion);
  out.u32(batch.entities.size());
  for (const auto& w : batch.entities) {
    out.str(w.id);
    out.u8(!w.doc ? 0 : w.delta ? 2 : 1);
    if (w.doc) out.str(*w.doc);
  }
  out.u32(batch.history.size());
  for (const auto& h : batch.history) {
    out.u8(static_cast<unsigned char>(h.op));
    out.str(h.entity.id);
    out.list(h.entity.types);
    out.list(h.entity.scopes);
    out.i64(h.entity.created_at);
    out.i64(h.entity.modified_at);
    out.i64(h.entity.deleted_at);
    out.u32(h.instances.size());
    for (const auto& r : h.instances) {
      out.str(r.attr);
      out.str(r.dataset_id);
      out.str(r.json);
      out.i64(r.observed_at);
      out.i64(r.created_at);
      out.i64(r.modified_at);
      out.i64(r.deleted_at);
    }
    out.str(h.attr);
    out.str(h.dataset_id);
    out.u8(h.all_datasets ? 1 : 0);
    out.i64(h.instance);
  }
  return s;
}

Result<WriteBatch> decode_record(std::string_view bytes) {
  In in(bytes);
  if (in.u8() != kVersion) return fail(ErrorKind::InternalError, "corrupt write record", "unknown version");
  WriteBatch b;
  for (size_t n = in.count(); n > 0 && in.ok(); --n) {
    EntityWrite w;
    w.id = in.str();
    const unsigned char kind = in.u8();
    if (kind > 2) return fail(ErrorKind::InternalError, "corrupt write record", "unknown entity write kind");
    if (kind != 0) w.doc = in.str();
    w.delta = kind == 2;
    b.entities.push_back(std::move(w));
  }
  for (size_t n = in.count(); n > 0 && in.ok(); --n) {
    HistoryWrite h;
    const unsigned char op = in.u8();
    if (op > static_cast<unsigned char>(HistoryWrite::Op::ReplaceInstance))
      return fail(ErrorKind::InternalError, "corrupt write record", "unknown history operation");
    h.op = static_cast<HistoryWrite::Op>(op);
    h.entity.id = in.str();
    h.entity.types = in.list();
    h.entity.scopes = in.list();
    h.entity.created_at = in.i64();
    h.entity.modified_at = in.i64();
    h.entity.deleted_at = in.i64();
    for (size_t k = in.count(); k > 0 && in.ok(); --k) {
      InstanceRecord r;
      r.attr = in.str();
      r.dataset_id = in.str();
      r.json = in.str();
      r.observed_at = in.i64();
      r.created_at = in.i64();
      r.modified_at = in.i64();
      r.deleted_at = in.i64();
      h.instances.push_back(std::move(r));
    }
    h.attr = in.str();
    h.dataset_id = in.str();
    h.all_datasets = in.u8() != 0;
    h.instance = in.i64();
    b.history.push_back(std::move(h));
  }
  if (!in.ok() || !in.done())
    return fail(ErrorKind::InternalError, "corrupt write record", "truncated or trailing bytes");
  return b;
}

}  // namespace dejima::store
