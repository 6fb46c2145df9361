#include "storage/catalog_row_codec.h"

#include <gtest/gtest.h>

#include <limits>

namespace fen::storage {
namespace {

// A record as fen and swamp write them for a model method's output.
DataRecord TypicalRecord() {
  DataRecord r;
  r.id = "00000a5a-0000-4000-8000-000000000a5a";
  r.name = "data-50";
  r.version = 1;
  r.content_type = "application/json";
  r.lifetime = "infinite";
  r.garbage_collection = int64_t{10};
  r.tags = {{"type", "resource"}, {"specName", "data-50"}, {"modelName", "m"}};
  r.owner.owner_type = "model-method";
  r.owner.owner_ref = "0000001a-0000-4000-8000-00000000001a";
  r.created_at = "2026-11-19T20:10:18.000Z";
  r.size = 10;
  return r;
}

DataRecord EveryFieldSet() {
  DataRecord r = TypicalRecord();
  r.version = std::numeric_limits<int64_t>::max();
  r.garbage_collection = std::string("7d");
  r.streaming = true;
  r.owner.extra = {{"definitionHash", "abc"}, {"workflowId", ""}, {"source", "x\ny"}};
  r.size = std::numeric_limits<int64_t>::min();
  r.checksum = std::string(64, 'f');
  r.deleted = true;
  r.renamed_to = "data-51";
  r.tags.emplace_back("", std::string("\0nul", 4));
  return r;
}

TEST(CatalogRowCodecTest, RecordsRoundTrip) {
  for (const DataRecord& r : {DataRecord{}, TypicalRecord(), EveryFieldSet()}) {
    const std::string blob = EncodeCatalogRecord(r);
    auto back = DecodeCatalogRecord(blob);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);
    EXPECT_EQ(EncodeCatalogRecord(*back), blob);  // deterministic
  }
  DataRecord negative = TypicalRecord();
  negative.version = -3;
  negative.garbage_collection = int64_t{-1};
  negative.size = std::nullopt;
  EXPECT_EQ(*DecodeCatalogRecord(EncodeCatalogRecord(negative)), negative);
}

// The reason for format 3: format 2 took 377 bytes for this record.
TEST(CatalogRowCodecTest, ATypicalRecordTakesUnder200Bytes) {
  EXPECT_LT(EncodeCatalogRecord(TypicalRecord()).size(), 200u);
}

TEST(CatalogRowCodecTest, StampsRoundTripAndStaySmall) {
  CatalogRowStamps s;
  s.latest = {1, 2049, 123456789, 1764000000123456789, 1764000000123456999, 1};
  s.metadata = {1, 2049, 123456790, 1764000000000000000, 1763999999000000000, 377};
  const std::string blob = EncodeCatalogStamps(s);
  EXPECT_LT(blob.size(), 48u);  // format 2: 144 bytes
  EXPECT_EQ(*DecodeCatalogStamps(blob), s);
  EXPECT_EQ(*DecodeCatalogStamps(EncodeCatalogStamps({})), CatalogRowStamps{});
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  CatalogRowStamps extreme;
  extreme.latest = {kMax, kMin, kMax, kMin, kMax, kMin};
  extreme.metadata = {kMin, kMax, kMin, kMax, kMin, kMax};
  EXPECT_EQ(*DecodeCatalogStamps(EncodeCatalogStamps(extreme)), extreme);
  EXPECT_NE(EncodeCatalogStamps(extreme), EncodeCatalogStamps(s));
}

TEST(CatalogRowCodecTest, DamagedBlobsAreRejected) {
  const std::string record = EncodeCatalogRecord(EveryFieldSet());
  for (size_t n = 0; n < record.size(); ++n) {
    EXPECT_FALSE(DecodeCatalogRecord(record.substr(0, n)).has_value()) << "prefix " << n;
  }
  EXPECT_FALSE(DecodeCatalogRecord(record + '\0').has_value());  // trailing bytes
  std::string unknown_flag = record;
  unknown_flag[0] = static_cast<char>(0x40);
  EXPECT_FALSE(DecodeCatalogRecord(unknown_flag).has_value());
  // A length far beyond the blob, and a map count no blob of this size could hold.
  EXPECT_FALSE(DecodeCatalogRecord(std::string("\0\xff\xff\xff\xff\x0f", 6)).has_value());
  std::string huge_map("\0\0\0\x02\0\0\0\xff\xff\xff\xff\x0f", 13);
  EXPECT_FALSE(DecodeCatalogRecord(huge_map).has_value());
  // A varint longer than ten bytes; non-canonical varints (over-long, bits beyond 64).
  EXPECT_FALSE(DecodeCatalogStamps(std::string(11, '\x80')).has_value());
  const std::string zeros(11, '\0');  // the other 11 stamp fields
  EXPECT_TRUE(DecodeCatalogStamps(std::string(1, '\0') + zeros).has_value());
  EXPECT_FALSE(DecodeCatalogStamps(std::string("\x80\x00", 2) + zeros).has_value());
  EXPECT_TRUE(DecodeCatalogStamps(std::string(9, '\xff') + '\x01' + zeros).has_value());
  EXPECT_FALSE(DecodeCatalogStamps(std::string(9, '\xff') + '\x02' + zeros).has_value());

  const std::string stamps = EncodeCatalogStamps({});
  for (size_t n = 0; n < stamps.size(); ++n) {
    EXPECT_FALSE(DecodeCatalogStamps(stamps.substr(0, n)).has_value()) << "prefix " << n;
  }
  EXPECT_FALSE(DecodeCatalogStamps(stamps + '\0').has_value());
  // Format 2's 144-byte blob is not a format 3 stamp.
  EXPECT_FALSE(DecodeCatalogStamps(std::string(144, '\0')).has_value());
}

}  // namespace
}  // namespace fen::storage
