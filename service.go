package taurusjob

import (
	"fmt"
	"slices"
	"strings"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// Service is the Huawei Cloud database service whose jobs a [Client] asks
// for. All four answer GET /v3/{project_id}/jobs?id=… with the same
// envelope ({"job": {…}}) and the same error body; they differ in host, in
// the name of the percent field and in what else a job carries:
//
//	service          host                         percent     statuses                       other
//	ServiceTaurusDB  gaussdb.{region} (and more)  "process"   all six [Status] values        entities
//	ServiceRDS       rds.{region}                 "process"   Running, Completed, Failed     entities
//	ServiceOpenGauss gaussdb-opengauss.{region}   "progress"  Running, Completed, Failed     no entities; fail_reason may be null
//	ServiceDDS       dds.{region}                 "progress"  Running, Completed, Failed     no entities
//
// The Client decodes every one of these shapes whatever the service, so
// the service decides the endpoint ([Service.Endpoint]) and, once a
// sibling service is chosen, guards against an endpoint of another service
// (see [ClientConfig].Service).
//
// The zero value is [ServiceTaurusDB].
type Service int

// The supported services.
const (
	ServiceTaurusDB  Service = iota // TaurusDB (GaussDB for MySQL): the default
	ServiceRDS                      // RDS for MySQL, PostgreSQL and SQL Server
	ServiceOpenGauss                // GaussDB (openGauss)
	ServiceDDS                      // DDS, the document database (MongoDB-compatible)
)

// serviceInfo is what the library knows about one service.
type serviceInfo struct {
	name  string // the CLI's and the config's name
	title string // for people
	// prefixes are the first host labels the official SDK's region table
	// uses for the service; hosts maps a region to its host.
	prefixes []string
	hosts    map[string]string
}

var services = [...]serviceInfo{
	ServiceTaurusDB:  {name: "taurusdb", title: "TaurusDB", prefixes: []string{"gaussdb", "gaussdbformysql", "gaussdb-mysql"}},
	ServiceRDS:       {name: "rds", title: "RDS", prefixes: []string{"rds"}},
	ServiceOpenGauss: {name: "opengauss", title: "GaussDB (openGauss)", prefixes: []string{"gaussdb-opengauss", "gaussdb"}},
	ServiceDDS:       {name: "dds", title: "DDS", prefixes: []string{"dds"}},
}

func (s Service) info() (serviceInfo, bool) {
	if s < 0 || int(s) >= len(services) {
		return serviceInfo{}, false
	}
	return services[s], true
}

// String returns the service's name as [ParseService] reads it:
// "taurusdb", "rds", "opengauss" or "dds".
func (s Service) String() string {
	if i, ok := s.info(); ok {
		return i.name
	}
	return fmt.Sprintf("Service(%d)", int(s))
}

// Title returns the service's name for people, e.g. "GaussDB (openGauss)".
func (s Service) Title() string {
	if i, ok := s.info(); ok {
		return i.title
	}
	return s.String()
}

// Services returns every supported service, the default first.
func Services() []Service {
	return []Service{ServiceTaurusDB, ServiceRDS, ServiceOpenGauss, ServiceDDS}
}

// ParseService reads a service name as [Service.String] writes it, in any
// case. An unknown name gives an error matching [ErrInvalidInput] that
// lists the known ones.
func ParseService(name string) (Service, error) {
	for _, s := range Services() {
		if strings.EqualFold(name, s.String()) {
			return s, nil
		}
	}
	return 0, invalid("service", "%q is not one of taurusdb, rds, opengauss, dds", clip.Text(name, 32))
}

// MarshalText writes the service's name, so that a Service in a config
// file or a flag ([flag.TextVar]) reads as "rds"; an unknown service is an
// error.
func (s Service) MarshalText() ([]byte, error) {
	if _, ok := s.info(); !ok {
		return nil, invalid("service", "%d is not a known service", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a name as [ParseService] does.
func (s *Service) UnmarshalText(text []byte) error {
	v, err := ParseService(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Endpoint returns the service's documented endpoint in a region, e.g.
// "https://rds.cn-north-4.myhuaweicloud.com", and false for a region not
// in the official SDK's table for that service.
func (s Service) Endpoint(region string) (string, bool) {
	i, ok := s.info()
	if !ok {
		return "", false
	}
	host, ok := i.hosts[region]
	if !ok {
		return "", false
	}
	return "https://" + host, true
}

// Regions returns the regions of the service's table, sorted.
func (s Service) Regions() []string {
	i, _ := s.info()
	names := make([]string, 0, len(i.hosts))
	for r := range i.hosts {
		names = append(names, r)
	}
	slices.Sort(names)
	return names
}
