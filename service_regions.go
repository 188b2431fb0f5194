package taurusjob

// The regions of the official SDK's region tables (v0.1.207) for the
// sibling services. Hosts are {prefix}.{region}.myhuaweicloud.com, but in
// eu-west-101, which is under myhuaweicloud.eu, and for openGauss, which
// answers on gaussdb.{region} in some regions.
var (
	rdsRegions = []string{"af-south-1", "af-north-1", "ae-ad-1", "ap-southeast-1", "ap-southeast-2",
		"ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "cn-east-2", "cn-east-3", "cn-east-4",
		"cn-east-5", "cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-11", "cn-north-12",
		"cn-south-1", "cn-south-2", "cn-south-4", "cn-southwest-2", "cn-southwest-3", "eu-west-0",
		"eu-west-101", "la-north-2", "la-south-2", "me-east-1", "my-kualalumpur-1", "na-mexico-1",
		"ru-moscow-1", "ru-northwest-2", "sa-brazil-1", "tr-west-1"}
	// DDS is in the same 34 regions as RDS.
	ddsRegions = rdsRegions

	openGaussRegions = []string{"af-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
		"ap-southeast-4", "cn-east-3", "cn-north-2", "cn-north-4", "cn-north-9", "cn-south-1",
		"cn-south-2", "cn-south-4", "cn-southwest-2", "la-north-2", "la-south-2", "ru-northwest-2",
		"sa-brazil-1"}
	openGaussOnGaussDBHost = []string{"af-north-1", "ap-southeast-5", "cn-east-2", "cn-east-4",
		"cn-east-5", "cn-north-12", "me-east-1", "tr-west-1"}
)

func init() {
	services[ServiceTaurusDB].hosts = regionHosts
	services[ServiceRDS].hosts = hostsOf("rds", rdsRegions)
	services[ServiceDDS].hosts = hostsOf("dds", ddsRegions)
	og := hostsOf("gaussdb-opengauss", openGaussRegions)
	for r, h := range hostsOf("gaussdb", openGaussOnGaussDBHost) {
		og[r] = h
	}
	services[ServiceOpenGauss].hosts = og
}

// hostsOf maps each region to prefix.region and its domain.
func hostsOf(prefix string, regions []string) map[string]string {
	m := make(map[string]string, len(regions))
	for _, r := range regions {
		domain := "myhuaweicloud.com"
		if r == "eu-west-101" {
			domain = "myhuaweicloud.eu"
		}
		m[r] = prefix + "." + r + "." + domain
	}
	return m
}
