// Package load holds taurusjob's load benchmark: 10,000 concurrent waits
// against the fake job API (taurusjobtest) over real loopback sockets, and
// the client's CPU per poll against a bare net/http GET and JSON decode.
//
//	go test ./bench/load -run '^$' -bench . -benchtime 1x
//
// The package has no code of its own: everything is in its tests. See
// bench/README.md for what is measured and the numbers.
package load
