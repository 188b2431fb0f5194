package taurusjob

import (
	"slices"
	"strings"
)

// regionHosts maps each region of the official SDK's table to the host
// pattern it uses; three patterns are in use, so a region cannot be guessed.
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

// RegionEndpoint returns the documented endpoint of a region, e.g.
// "https://gaussdb.cn-north-4.myhuaweicloud.com", and false for a region
// not in the official SDK's table. It is TaurusDB's; [Service.Endpoint]
// gives the other services'.
func RegionEndpoint(region string) (string, bool) {
	host, ok := regionHosts[region]
	if !ok {
		return "", false
	}
	return "https://" + host, true
}

// Regions returns the known region names, sorted.
func Regions() []string {
	names := make([]string, 0, len(regionHosts))
	for r := range regionHosts {
		names = append(names, r)
	}
	slices.Sort(names)
	return names
}
