// The data catalog: one dataset per entity type with data in a tenant, appearing by itself when
// the first entity of the type is written, with the metadata Dejima keeps for it (metadata.h)
// and what the platform knows of it: the publisher (the tenant's registry entry), the entity
// count and attributes, the last change, the connectors that write it (their sources, schedules,
// and the credit and licence lines their last runs read from the source). Every API of the
// catalog (/dejima/v1/datasets, the CKAN Action API, the downloads) asks it, with the caller's
// request: a dataset is listed only to a caller who may read its type (anyone for a tenant's
// public types).
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "access/directory.h"
#include "broker/tenant.h"
#include "catalog/metadata.h"
#include "catalog/table.h"
#include "connect/connectors.h"
#include "http/message.h"
#include "store/store.h"

namespace dejima::catalog {

struct Dataset {
  std::string name;         // "<tenant>-<type>", lower-case: the CKAN name and the catalog's id
  std::string tenant;       // "" = the default tenant
  std::string tenant_name;  // the registry's name ("default" for the default tenant)
  std::string type;         // expanded
  std::string short_type;   // compacted with the core @context
  Metadata meta;            // as stored (empty members: not set)
  bool is_public = false;   // readable without credentials
  size_t entities = 0;
  Millis data_modified = 0;
  // The span the history covers: the first recording of one of its entities to the type's last
  // change (0, 0 when the type has no history).
  Millis temporal_start = 0, temporal_end = 0;
  access::TenantRecord publisher;  // name_ja/name_en/code may be empty (a tenant not in the registry)
  struct Source {
    std::string connector, url, schedule, frequency;
    std::vector<std::string> credits;  // "credit: …" and "licence: …" lines of the last run
  };
  std::vector<Source> sources;

  // What is shown when the metadata leaves a member empty.
  // title_ja, else title_en, else "<the type's catalog name or short name>（<publisher>）"
  std::string title() const;
  // title_en, else (no title_ja either) "<the type's English catalog name> (<publisher>)", else ""
  std::string title_en() const;
  std::string frequency() const;
  Millis created() const;
  Millis modified() const;  // the newer of the data's and the metadata's
};

// The types a caller of `req` may read in `tenant`: the grant the access gate would give a read
// there (http::Grant: all_types, or the listed short names and IRIs).
using ReadableIn = std::function<http::Grant(const http::Request& req, const std::string& tenant)>;
// Whether a grant reads the type (expanded): all types, or one of its listed names.
bool grant_reads(const http::Grant& g, const std::string& type);

class Catalog {
 public:
  Catalog(store::Storage& storage, broker::Tenants& tenants, const access::Directory& directory,
          const connect::Connectors& connectors, ReadableIn readable)
      : storage_(storage),
        tenants_(tenants),
        directory_(directory),
        connectors_(connectors),
        readable_(std::move(readable)) {}
  Status load();

  // Every dataset the caller may read, ordered by name.
  std::vector<Dataset> list(const http::Request& req) const;
  // The dataset of that name or of (tenant name, type as short name or IRI), if the caller may
  // read it; ResourceNotFound otherwise (a dataset the caller may not read does not exist for it).
  Result<Dataset> find(const http::Request& req, const std::string& name) const;
  Result<Dataset> find(const http::Request& req, const std::string& tenant_name, const std::string& type) const;
  // Applies a PATCH body to the dataset's metadata and keeps it (durable before it returns).
  Result<Dataset> update(const http::Request& req, const std::string& tenant_name, const std::string& type,
                         const json::Value& body);

  broker::Tenants& tenants() const { return tenants_; }
  // The columns of a dataset's table (its CSV and datastore_search), cached per type change.
  std::vector<Column> columns(broker::Tenant& t, const Dataset& d) const {
    return columns_.columns(t, d.tenant, d.type);
  }

 private:
  struct View;  // what one request sees: readable types per tenant, connector sources
  std::vector<Dataset> datasets(const http::Request& req, const std::string* only_tenant) const;
  // The credit and licence lines of a connector's last run, read from its run log at most every
  // kCreditsTtlMs (every request of the catalog asks).
  std::vector<std::string> credits(const std::string& connector) const;
  static constexpr Millis kCreditsTtlMs = 10000;
  // Per expanded type, the earliest recording of its entities in a tenant's history (0: none),
  // read from the history at most every kCoverageTtlMs, or when a type is new.
  std::map<std::string, Millis> history_starts(broker::Tenant& t, const std::string& tenant,
                                               const std::map<std::string, broker::TypeInfo>& types) const;
  static constexpr Millis kCoverageTtlMs = 60000;

  store::Storage& storage_;
  broker::Tenants& tenants_;
  const access::Directory& directory_;
  const connect::Connectors& connectors_;
  ReadableIn readable_;
  mutable std::mutex mu_;
  std::map<std::string, Metadata> meta_;  // "<tenant>\n<expanded type>" -> metadata
  mutable std::map<std::string, std::pair<Millis, std::vector<std::string>>> credits_;  // connector -> (read at, lines)
  mutable ColumnCache columns_;
  mutable std::map<std::string, std::pair<Millis, std::map<std::string, Millis>>> starts_;  // tenant -> (read at, …)
};

// The dataset name of a type in a tenant: lower-case letters, digits and '-' (CKAN's rule).
std::string dataset_name(const std::string& tenant_name, const std::string& short_type);
// The registry's name of a tenant ("default" for "") and back.
std::string tenant_name(const std::string& tenant);
std::string tenant_of(const std::string& name);

}  // namespace dejima::catalog
