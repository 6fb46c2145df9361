// Catalog row codec: see catalog_row_codec.h and docs/design/catalog.md §2.
#include "storage/catalog_row_codec.h"

#include <algorithm>

namespace fen::storage {
namespace {

// ---- writing ----
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Zigzag: small negative numbers stay short (-1 -> 1, 1 -> 2).
void PutSigned(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutStr(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

void PutMap(std::string* out, const OrderedStringMap& m) {
  PutVarint(out, m.size());
  for (const auto& [k, v] : m) {
    PutStr(out, k);
    PutStr(out, v);
  }
}

void PutStamp(std::string* out, const CatalogStamp& s) {
  PutSigned(out, s.exists);
  PutSigned(out, s.dev);
  PutSigned(out, s.ino);
  PutSigned(out, s.mtime_ns);
  // ctime is usually mtime or a little later: the difference is a byte or two, not nine.
  PutSigned(out, static_cast<int64_t>(static_cast<uint64_t>(s.ctime_ns) -
                                      static_cast<uint64_t>(s.mtime_ns)));
  PutSigned(out, s.size);
}

// ---- reading: every read is bounds-checked; the first failure sticks ----
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  // Only the canonical form PutVarint writes is accepted: no over-long encoding (a last byte
  // of 0 after the first), no bits beyond 64 (a tenth byte above 1). Then decoding and
  // encoding are inverse both ways, as the header promises.
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) break;
      const auto byte = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && byte > 1) break;
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        if (byte == 0 && shift > 0) break;
        return v;
      }
    }
    ok_ = false;
    return 0;
  }
  int64_t Signed() {
    const uint64_t z = Varint();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string Str() {
    const uint64_t n = Varint();
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  OrderedStringMap Map() {
    OrderedStringMap m;
    const uint64_t n = Varint();
    // Each entry takes at least two bytes: a count beyond that is damage, not a big map.
    if (!ok_ || n > (in_.size() - pos_) / 2) {
      ok_ = false;
      return m;
    }
    m.reserve(std::min<uint64_t>(n, 16));
    for (uint64_t i = 0; ok_ && i < n; ++i) {
      std::string k = Str();
      std::string v = Str();
      m.emplace_back(std::move(k), std::move(v));
    }
    return m;
  }
  CatalogStamp Stamp() {
    CatalogStamp s;
    s.exists = Signed();
    s.dev = Signed();
    s.ino = Signed();
    s.mtime_ns = Signed();
    s.ctime_ns =
        static_cast<int64_t>(static_cast<uint64_t>(s.mtime_ns) + static_cast<uint64_t>(Signed()));
    s.size = Signed();
    return s;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Record layout, in order. Optional fields are a flag followed by the value only when set.
enum RecordFlags : uint64_t {
  kGcIsText = 1,
  kStreaming = 2,
  kHasSize = 4,
  kHasChecksum = 8,
  kDeleted = 16,
  kRenamed = 32,
  kAllFlags = 63,
};

}  // namespace

std::string EncodeCatalogStamps(const CatalogRowStamps& stamps) {
  std::string out;
  out.reserve(64);
  PutStamp(&out, stamps.latest);
  PutStamp(&out, stamps.metadata);
  return out;
}

std::optional<CatalogRowStamps> DecodeCatalogStamps(std::string_view blob) {
  Reader in(blob);
  CatalogRowStamps s;
  s.latest = in.Stamp();
  s.metadata = in.Stamp();
  if (!in.ok() || !in.AtEnd()) return std::nullopt;
  return s;
}

std::string EncodeCatalogRecord(const DataRecord& r) {
  const auto* gc_count = std::get_if<int64_t>(&r.garbage_collection);
  uint64_t flags = 0;
  if (gc_count == nullptr) flags |= kGcIsText;
  if (r.streaming) flags |= kStreaming;
  if (r.size) flags |= kHasSize;
  if (r.checksum) flags |= kHasChecksum;
  if (r.deleted) flags |= kDeleted;
  if (r.renamed_to) flags |= kRenamed;

  std::string out;
  out.reserve(256);
  PutVarint(&out, flags);
  PutStr(&out, r.id);
  PutStr(&out, r.name);
  PutSigned(&out, r.version);
  PutStr(&out, r.content_type);
  PutStr(&out, r.lifetime);
  if (gc_count != nullptr) {
    PutSigned(&out, *gc_count);
  } else {
    PutStr(&out, std::get<std::string>(r.garbage_collection));
  }
  PutMap(&out, r.tags);
  PutStr(&out, r.owner.owner_type);
  PutStr(&out, r.owner.owner_ref);
  PutMap(&out, r.owner.extra);
  PutStr(&out, r.created_at);
  if (r.size) PutSigned(&out, *r.size);
  if (r.checksum) PutStr(&out, *r.checksum);
  if (r.renamed_to) PutStr(&out, *r.renamed_to);
  return out;
}

std::optional<DataRecord> DecodeCatalogRecord(std::string_view blob) {
  Reader in(blob);
  DataRecord r;
  const uint64_t flags = in.Varint();
  if ((flags & ~static_cast<uint64_t>(kAllFlags)) != 0) return std::nullopt;
  r.id = in.Str();
  r.name = in.Str();
  r.version = in.Signed();
  r.content_type = in.Str();
  r.lifetime = in.Str();
  if ((flags & kGcIsText) != 0) {
    r.garbage_collection = in.Str();
  } else {
    r.garbage_collection = in.Signed();
  }
  r.streaming = (flags & kStreaming) != 0;
  r.tags = in.Map();
  r.owner.owner_type = in.Str();
  r.owner.owner_ref = in.Str();
  r.owner.extra = in.Map();
  r.created_at = in.Str();
  if ((flags & kHasSize) != 0) r.size = in.Signed();
  if ((flags & kHasChecksum) != 0) r.checksum = in.Str();
  r.deleted = (flags & kDeleted) != 0;
  if ((flags & kRenamed) != 0) r.renamed_to = in.Str();
  if (!in.ok() || !in.AtEnd()) return std::nullopt;
  return r;
}

}  // namespace fen::storage
