// The shared AWS config and credentials files (~/.aws/config, ~/.aws/credentials).
//
// Grammar (INI as the AWS CLI reads it):
//   file     = { line "\n" }
//   line     = blank | comment | section | property | continuation
//   comment  = ws ( "#" | ";" ) any*
//   section  = ws "[" ws name ws "]" ws [ comment ]
//   property = key ws "=" ws value [ ws ( "#" | ";" ) any* ]   ; inline comment needs a space before
//   continuation = ws1 any+     ; indented line after "key =" with empty value: a sub-property
//                               ; "sub = v" stored as "key.sub"
// In the config file profiles are "[default]" or "[profile NAME]"; other sections ("[sso-session
// x]", "[services x]") and bare "[NAME]" are ignored. In the credentials file every "[NAME]" is a
// profile. Keys are case-insensitive (stored lower-case). Problems (line without '=', property
// before any section, unterminated section) are reported with their line and parsing goes on.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cloudward::aws {

enum class ProfileFileKind { kConfig, kCredentials };

using Profile = std::map<std::string, std::string>;  // lower-case key -> value

struct ProfileProblem {
  std::string file;
  int line = 0;
  std::string reason;
};

struct ProfileFile {
  std::map<std::string, Profile> profiles;
  std::vector<ProfileProblem> problems;

  const Profile* Find(std::string_view name) const;
};

ProfileFile ParseProfileFile(std::string_view text, ProfileFileKind kind, std::string_view origin);

// Merges `overlay` into `base`, overlay's keys winning (credentials file over config file).
void MergeProfiles(ProfileFile& base, const ProfileFile& overlay);

}  // namespace cloudward::aws
