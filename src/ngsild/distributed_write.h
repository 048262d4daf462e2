// Distributed writes (clause 4.3.6.3 with context source registrations): a write to an entity
// that registrations cover for its operation is split by their modes — an inclusive source gets
// the attributes it registered beside the local broker, exclusive and redirect sources get theirs
// instead of it, auxiliary ones are never written — sent to every source at once, and answered as
// one: the local answer when every part succeeded, else 207 with a BatchOperationResult naming
// the part (local, or the registration) that failed.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "federation/registration.h"
#include "http/message.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

// What a write names: its operation (clause 4.3.6.3's names: createEntity, appendAttrs, ...),
// the entity and, for /attrs/{attrId}, the attribute (expanded).
struct WriteTarget {
  std::string_view operation;
  std::string id;
  std::string attr;
};

class DistributedWrite : public std::enable_shared_from_this<DistributedWrite> {
 public:
  // The sources that take this write, each with its part of c.body (the attributes it registered
  // for an entity or fragment body; the whole body otherwise). Removes from c.body the attributes
  // exclusive and redirect sources take. Null when no source takes it.
  static std::shared_ptr<DistributedWrite> plan(RequestContext& c, const Services& s, WriteTarget target);
  // The same for a batch (createBatch, upsertBatch, updateBatch, mergeBatch, deleteBatch): each
  // source gets one batch of its parts of the entities it covers; c.body keeps what is left
  // (an entity that sources take whole leaves it).
  static std::shared_ptr<DistributedWrite> plan_batch(RequestContext& c, const Services& s, std::string_view operation);
  // A purge (DELETE /entities?type=...): the same request to each of `sources` (not auxiliary).
  static std::shared_ptr<DistributedWrite> plan_purge(const RequestContext& c, const Services& s,
                                                      const std::vector<federation::RegPtr>& sources);

  // Whether anything is left for the local broker to write.
  bool local() const { return local_; }

  // The reply to hand the local broker's answer to (status 0: nothing was written locally). A
  // local answer that refuses the request itself (400, 401, 403, ...) is given as it is, and
  // nothing is forwarded; otherwise the parts are sent on a forwarder thread and both answered.
  http::Reply wrap(http::Reply reply);

 private:
  struct Part {
    federation::RegPtr reg;
    std::string body;              // "" for a request without one
    std::vector<std::string> ids;  // the entities it writes
  };
  struct Outcome {
    long status = 0;   // the source's answer; 0 when it could not be reached
    std::string body;  // its body, or why it could not be reached
  };
  struct Failure {
    std::string id, registration, problem;  // problem: a ProblemDetails as JSON text
  };

  DistributedWrite(const Services& s, const RequestContext& c, std::string_view operation);
  // One entity's split (a batch's element, or the request's entity): appends its part to the
  // part of each source that takes it; false when sources take it whole.
  bool split(const jsonld::Context& ctx, const std::vector<federation::RegPtr>& sources, const std::string& id,
             const std::vector<std::string>& types, const std::string& attr, json::Value& body);
  Outcome send(const Part& part) const;
  // Reads an answer (the local one or a source's) into successes and failures; a 201 to a batch
  // lists the ids it created (`created`).
  void read(long status, const std::string& body, const std::vector<std::string>& ids,
            const federation::Registration* reg, std::vector<std::string>& success, std::vector<std::string>& created,
            std::vector<Failure>& failures) const;
  // Sends the parts (unless !forward: each counts as not sent) and answers with the local answer.
  http::Response finish(http::Response local, bool forward) const;

  const Services& s_;
  std::string operation_;
  bool batch_ = false;
  std::string method_, target_;  // as received, the target from /ngsi-ld/v1 on
  std::string content_type_, link_, via_;
  std::vector<Part> parts_;
  std::vector<std::string> local_ids_;  // the entities the local broker writes
  bool local_ = true;
};

// How a handler goes on after distribute().
enum class Split {
  None,   // no source takes the write: as before
  Local,  // sources take parts and `reply` now waits for them; write what is left of c.body locally
  Done,   // the sources take all of it; `reply` has been answered for the local part
};
// Plans the write (DistributedWrite::plan) and wraps `reply` when sources take part of it.
Split distribute(RequestContext& c, const Services& s, WriteTarget target, http::Reply& reply);
// The same for a purge whose sources distributed_query.h found.
Split distribute_purge(const RequestContext& c, const Services& s, const std::vector<federation::RegPtr>& sources,
                       http::Reply& reply);
// The same for a batch (DistributedWrite::plan_batch).
Split distribute_batch(RequestContext& c, const Services& s, std::string_view operation, http::Reply& reply);

}  // namespace dejima::ngsild
