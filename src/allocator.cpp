// jemalloc's compiled-in options for the server binary (only linked where jemalloc is: see
// CMakeLists.txt). The broker builds hundreds of MB of small objects (entities, indexes) at
// start and on every import; with 4 KB pages a third of a start-up went to page faults, and
// huge pages for jemalloc's extents and metadata cut the start-up of 100,000 entities by 40 %.
// Freed huge pages are given back to the system after 5 minutes instead of jemalloc's default
// 10 s: purging and faulting them in again on the request path raised the p99 of small writes
// by a quarter (bench/RESULTS.md). MALLOC_CONF in the environment still overrides this.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always,dirty_decay_ms:300000";
}
