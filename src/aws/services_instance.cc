#include "aws/services_instance.h"

#include "aws/service_helpers.h"

namespace cloudward::aws {

using internal::AddList;
using internal::Done;
using internal::Malformed;
using internal::Text;

// ------------------------------------------------------------------------------ console output
AwsResult<ec2::ConsoleOutput> ec2::GetConsoleOutput(AwsClient& aws, const std::string& instance_id, bool latest) {
  QueryParams params = {{"InstanceId", instance_id}};
  if (latest) params.emplace_back("Latest", "true");
  auto r = aws.Query("ec2", "GetConsoleOutput", params);
  // Latest is for instances on the Nitro system; AWS refuses it for the others.
  if (!r && latest &&
      (r.error().aws_code == "UnsupportedOperation" || r.error().aws_code == "InvalidParameterCombination" ||
       r.error().aws_code == "InvalidParameterValue")) {
    return GetConsoleOutput(aws, instance_id, false);
  }
  if (!r) return AwsFail(r.error());
  ConsoleOutput out{Text(r->Root(), "instanceId"), Text(r->Root(), "timestamp"), Text(r->Root(), "output"), latest};
  if (out.instance_id.empty()) {
    return AwsFail(Malformed("ec2:GetConsoleOutput", "no instanceId in response", r->request_id));
  }
  return out;
}

// ---------------------------------------------------------------- instance profile associations
namespace {
ec2::InstanceProfileAssociation ReadAssociation(const pugi::xml_node& node) {
  return {Text(node, "associationId"), Text(node, "instanceId"),
          node.child("iamInstanceProfile").child("arn").text().as_string(), Text(node, "state")};
}
}  // namespace

AwsResult<std::vector<ec2::InstanceProfileAssociation>> ec2::DescribeIamInstanceProfileAssociations(
    AwsClient& aws, const std::vector<Filter>& filters) {
  std::vector<InstanceProfileAssociation> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params;
    for (size_t i = 0; i < filters.size(); ++i) {
      std::string p = "Filter." + std::to_string(i + 1);
      params.emplace_back(p + ".Name", filters[i].name);
      AddList(params, p + ".Value", filters[i].values);
    }
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto r = aws.Query("ec2", "DescribeIamInstanceProfileAssociations", params);
    if (!r) return AwsFail(r.error());
    for (pugi::xml_node item : r->Root().child("iamInstanceProfileAssociationSet").children("item")) {
      out.push_back(ReadAssociation(item));
    }
    return Text(r->Root(), "nextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::string> ec2::AssociateIamInstanceProfile(AwsClient& aws, const std::string& instance_id,
                                                        const std::string& instance_profile_arn) {
  auto r = aws.Query("ec2", "AssociateIamInstanceProfile",
                     {{"InstanceId", instance_id}, {"IamInstanceProfile.Arn", instance_profile_arn}});
  if (!r) return AwsFail(r.error());
  std::string id = Text(r->Root().child("iamInstanceProfileAssociation"), "associationId");
  if (id.empty()) {
    return AwsFail(Malformed("ec2:AssociateIamInstanceProfile", "no associationId in response", r->request_id));
  }
  return id;
}

AwsStatus ec2::DisassociateIamInstanceProfile(AwsClient& aws, const std::string& association_id) {
  return Done(aws.Query("ec2", "DisassociateIamInstanceProfile", {{"AssociationId", association_id}}));
}

AwsResult<std::string> ec2::ReplaceIamInstanceProfileAssociation(AwsClient& aws, const std::string& association_id,
                                                                 const std::string& instance_profile_arn) {
  auto r = aws.Query("ec2", "ReplaceIamInstanceProfileAssociation",
                     {{"AssociationId", association_id}, {"IamInstanceProfile.Arn", instance_profile_arn}});
  if (!r) return AwsFail(r.error());
  std::string id = Text(r->Root().child("iamInstanceProfileAssociation"), "associationId");
  if (id.empty()) {
    return AwsFail(Malformed("ec2:ReplaceIamInstanceProfileAssociation", "no associationId in response",
                             r->request_id));
  }
  return id;
}

// ------------------------------------------------------------------------ stop, start, terminate
AwsStatus ec2::StopInstances(AwsClient& aws, const std::vector<std::string>& instance_ids) {
  QueryParams params;
  AddList(params, "InstanceId", instance_ids);
  return Done(aws.Query("ec2", "StopInstances", params));
}

AwsStatus ec2::StartInstances(AwsClient& aws, const std::vector<std::string>& instance_ids) {
  QueryParams params;
  AddList(params, "InstanceId", instance_ids);
  return Done(aws.Query("ec2", "StartInstances", params));
}

AwsStatus ec2::TerminateInstances(AwsClient& aws, const std::vector<std::string>& instance_ids) {
  QueryParams params;
  AddList(params, "InstanceId", instance_ids);
  return Done(aws.Query("ec2", "TerminateInstances", params));
}

// ------------------------------------------------------------------------------------------ IAM
AwsResult<iam::InstanceProfileRoles> iam::GetInstanceProfile(AwsClient& aws, const std::string& name) {
  auto r = aws.Query("iam", "GetInstanceProfile", {{"InstanceProfileName", name}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node profile = r->Result().child("InstanceProfile");
  InstanceProfileRoles out{Text(profile, "InstanceProfileName"), Text(profile, "Arn"), {}};
  if (out.arn.empty()) return AwsFail(Malformed("iam:GetInstanceProfile", "no Arn in response", r->request_id));
  for (pugi::xml_node role : profile.child("Roles").children("member")) out.role_names.push_back(Text(role, "RoleName"));
  return out;
}

}  // namespace cloudward::aws
