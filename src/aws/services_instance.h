// Typed helpers for the EC2 instance lifecycle response actions (capture-instance-evidence,
// replace-instance-profile, stop-instance, terminate-instance in respond/): console output, IAM
// instance profile associations, stop, start and terminate. Same conventions as services.h (one
// AWS operation each, list helpers follow pagination to the end, AwsResult everywhere); kept in
// their own file so that the stages that grow the client in parallel do not edit the same lines.
//
//   auto console = ec2::GetConsoleOutput(aws, "i-0abc", /*latest=*/true);
//   if (console) Decode(console->output_base64) ...;   // console->latest says what AWS answered
//   auto associations = ec2::DescribeIamInstanceProfileAssociations(aws, {{"instance-id", {"i-0abc"}}});
//   ec2::DisassociateIamInstanceProfile(aws, associations->front().association_id);
#pragma once

#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/services.h"

namespace cloudward::aws {

namespace ec2 {
struct ConsoleOutput {
  std::string instance_id;
  std::string timestamp;      // when AWS last updated the output ("" when none yet)
  std::string output_base64;  // as AWS sends it; "" when the instance has written nothing yet
  bool latest = false;        // the most recent output (Nitro), not the buffer saved at boot or stop
};
// With `latest`, asks for the most recent output; instances where AWS does not support that (not
// on the Nitro system) are asked again without it, and `latest` is then false.
AwsResult<ConsoleOutput> GetConsoleOutput(AwsClient& aws, const std::string& instance_id, bool latest);

struct InstanceProfileAssociation {
  std::string association_id;
  std::string instance_id;
  std::string instance_profile_arn;
  std::string state;  // "associating" | "associated" | "disassociating" | "disassociated"
};
// Filters: "instance-id", "state". Every association of the region without filters.
AwsResult<std::vector<InstanceProfileAssociation>> DescribeIamInstanceProfileAssociations(
    AwsClient& aws, const std::vector<Filter>& filters = {});
// The new association's id.
AwsResult<std::string> AssociateIamInstanceProfile(AwsClient& aws, const std::string& instance_id,
                                                   const std::string& instance_profile_arn);
AwsStatus DisassociateIamInstanceProfile(AwsClient& aws, const std::string& association_id);
// The association that replaces `association_id` (AWS gives it a new id).
AwsResult<std::string> ReplaceIamInstanceProfileAssociation(AwsClient& aws, const std::string& association_id,
                                                            const std::string& instance_profile_arn);

AwsStatus StopInstances(AwsClient& aws, const std::vector<std::string>& instance_ids);
AwsStatus StartInstances(AwsClient& aws, const std::vector<std::string>& instance_ids);
AwsStatus TerminateInstances(AwsClient& aws, const std::vector<std::string>& instance_ids);
}  // namespace ec2

namespace iam {
struct InstanceProfileRoles {
  std::string name;
  std::string arn;
  std::vector<std::string> role_names;  // zero or one in practice
};
// kNotFound (NoSuchEntity) for a missing profile.
AwsResult<InstanceProfileRoles> GetInstanceProfile(AwsClient& aws, const std::string& name);
}  // namespace iam

}  // namespace cloudward::aws
