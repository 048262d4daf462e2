// jemalloc's compiled-in options for the server binary (only linked where jemalloc is: see
// CMakeLists.txt). The broker builds hundreds of MB of small objects (entities, indexes) at
// start and on every import; with 4 KB pages a third of that time went to page faults. Huge
// pages for jemalloc's extents and metadata halve the start-up of 100,000 entities
// (bench/RESULTS.md). MALLOC_CONF in the environment still overrides this.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
}
