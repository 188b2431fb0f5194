package taurusjob

import (
	"encoding/json"
	"flag"
	"io"
	"strings"
	"testing"
)

// Code written before services existed keeps asking TaurusDB: the zero
// value is TaurusDB, and its endpoints follow the three host patterns of
// the official SDK's table.
func TestServiceZeroValueIsTaurusDB(t *testing.T) {
	var s Service
	if s != ServiceTaurusDB || s.String() != "taurusdb" {
		t.Fatalf("zero Service = %v, want taurusdb", s)
	}
	for region, want := range map[string]string{
		"cn-north-4": "https://gaussdb.cn-north-4.myhuaweicloud.com",
		"tr-west-1":  "https://gaussdbformysql.tr-west-1.myhuaweicloud.com",
		"af-south-1": "https://gaussdb-mysql.af-south-1.myhuaweicloud.com",
	} {
		if got, ok := s.Endpoint(region); !ok || got != want {
			t.Errorf("ServiceTaurusDB.Endpoint(%q) = %q, %v; want %q", region, got, ok, want)
		}
	}
	if _, ok := s.Endpoint("mars-1"); ok {
		t.Error("an unknown region has an endpoint")
	}
	if n := len(s.Regions()); n != len(regionHosts) || n < 20 {
		t.Errorf("ServiceTaurusDB.Regions() lists %d regions; want the table's %d", n, len(regionHosts))
	}
}

// The CLI and config files name services; every name reads back as its
// service, in any case, and a typo is refused with the list of names.
func TestParseService(t *testing.T) {
	for _, s := range Services() {
		for _, name := range []string{s.String(), strings.ToUpper(s.String())} {
			got, err := ParseService(name)
			if err != nil || got != s {
				t.Errorf("ParseService(%q) = %v, %v; want %v", name, got, err, s)
			}
		}
	}
	_, err := ParseService("mongo")
	checkInvalid(t, err, "service")
	if Service(9).String() != "Service(9)" {
		t.Errorf("unknown service prints as %q", Service(9).String())
	}
}

// Each service's endpoint in a region is the official SDK's (huaweisdk
// checks every region against the SDK's tables; these are the odd ones).
func TestServiceEndpoint(t *testing.T) {
	cases := []struct {
		s      Service
		region string
		want   string
	}{
		{ServiceRDS, "cn-north-4", "https://rds.cn-north-4.myhuaweicloud.com"},
		{ServiceRDS, "eu-west-101", "https://rds.eu-west-101.myhuaweicloud.eu"},
		{ServiceDDS, "ap-southeast-1", "https://dds.ap-southeast-1.myhuaweicloud.com"},
		{ServiceOpenGauss, "cn-north-4", "https://gaussdb-opengauss.cn-north-4.myhuaweicloud.com"},
		{ServiceOpenGauss, "cn-east-5", "https://gaussdb.cn-east-5.myhuaweicloud.com"},
		{ServiceTaurusDB, "tr-west-1", "https://gaussdbformysql.tr-west-1.myhuaweicloud.com"},
	}
	for _, tc := range cases {
		if got, ok := tc.s.Endpoint(tc.region); !ok || got != tc.want {
			t.Errorf("%v.Endpoint(%q) = %q, %v; want %q", tc.s, tc.region, got, ok, tc.want)
		}
	}
	if got, ok := ServiceOpenGauss.Endpoint("eu-west-0"); ok {
		t.Errorf("openGauss in eu-west-0 = %q; the SDK has no such region", got)
	}
	if got, ok := Service(7).Endpoint("cn-north-4"); ok {
		t.Errorf("an unknown service has endpoint %q", got)
	}
}

// With a sibling service chosen, an endpoint of another service would
// answer 404 for the whole grace window: NewClient says so at once. The
// zero value judges nothing, so code from before services keeps working;
// private endpoints, proxies and test servers are never judged, and
// openGauss may be on a gaussdb host.
func TestNewClientRefusesAnotherServicesEndpoint(t *testing.T) {
	cases := []struct {
		s        Service
		endpoint string
		ok       bool
	}{
		{ServiceRDS, "https://gaussdb.cn-north-4.myhuaweicloud.com", false},
		{ServiceDDS, "https://rds.eu-west-101.myhuaweicloud.eu", false},
		{ServiceRDS, "https://dds.cn-north-4.myhuaweicloud.com", false},
		{ServiceDDS, "https://gaussdb-opengauss.cn-north-4.myhuaweicloud.com", false},
		// The zero value accepts any endpoint, as it did before services.
		{ServiceTaurusDB, "https://rds.cn-north-4.myhuaweicloud.com", true},
		{ServiceTaurusDB, "https://gaussdb-opengauss.cn-north-4.myhuaweicloud.com", true},
		{ServiceOpenGauss, "https://gaussdbformysql.tr-west-1.myhuaweicloud.com", false},
		{ServiceRDS, "https://RDS.cn-north-4.myhuaweicloud.com", true},
		{ServiceOpenGauss, "https://gaussdb.cn-east-5.myhuaweicloud.com", true},
		{ServiceOpenGauss, "https://gaussdb-opengauss.cn-north-4.myhuaweicloud.com", true},
		{ServiceDDS, "https://gaussdb.example.internal", true},
		{ServiceDDS, "http://127.0.0.1:8080", true},
	}
	for _, tc := range cases {
		_, err := NewClient(ClientConfig{Endpoint: tc.endpoint, ProjectID: testProjectID, Token: "t", Service: tc.s})
		if tc.ok && err != nil {
			t.Errorf("%v at %s: %v; want accepted", tc.s, tc.endpoint, err)
		}
		if !tc.ok {
			checkInvalid(t, err, "endpoint")
		}
	}
	_, err := NewClient(ClientConfig{Endpoint: "https://rds.cn-north-4.myhuaweicloud.com", ProjectID: testProjectID,
		Token: "t", Service: Service(-1)})
	checkInvalid(t, err, "service")
}

// A service in a JSON config or a flag.TextVar reads and writes as its
// name; a bad name is refused, never read as the default.
func TestServiceAsText(t *testing.T) {
	for _, s := range Services() {
		b, err := json.Marshal(map[string]Service{"service": s})
		if err != nil || string(b) != `{"service":"`+s.String()+`"}` {
			t.Errorf("marshal %v = %s, %v", s, b, err)
		}
		var back map[string]Service
		if err := json.Unmarshal(b, &back); err != nil || back["service"] != s {
			t.Errorf("unmarshal %s = %v, %v", b, back, err)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var svc Service
	fs.TextVar(&svc, "service", ServiceTaurusDB, "")
	if err := fs.Parse([]string{"--service", "DDS"}); err != nil || svc != ServiceDDS {
		t.Errorf("--service DDS: %v, %v", svc, err)
	}
	if err := fs.Parse([]string{"--service", "mongo"}); err == nil {
		t.Error("--service mongo accepted")
	}
	if _, err := Service(5).MarshalText(); err == nil {
		t.Error("an unknown service marshals")
	}
}
