package taurusjob

import (
	"strings"
)

// regionHosts maps each region of the official SDK's TaurusDB table to its
// host; three patterns are in use, so a region cannot be guessed.
// [ServiceTaurusDB].Endpoint reads it.
var regionHosts = map[string]string{}

func init() {
	for pattern, regions := range map[string][]string{
		"gaussdb.%s.myhuaweicloud.com": {"cn-north-4", "cn-north-2", "cn-north-9", "cn-east-3", "cn-south-1",
			"cn-south-4", "cn-southwest-2", "ru-northwest-2", "ap-southeast-3", "ap-southeast-4", "sa-brazil-1"},
		"gaussdbformysql.%s.myhuaweicloud.com": {"tr-west-1", "ap-southeast-1", "ap-southeast-2", "cn-north-11", "me-east-1"},
		"gaussdb-mysql.%s.myhuaweicloud.com":   {"af-south-1", "cn-east-5", "la-north-2", "cn-southwest-3"},
	} {
		for _, r := range regions {
			regionHosts[r] = strings.Replace(pattern, "%s", r, 1)
		}
	}
}
