package redisquota

import (
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/apilist"
)

// The exported API is listed in ../api/redisquota.txt, as the core's is:
// an export is added or removed on purpose, in a reviewed diff of that
// file (go test -run TestAPI -update-api rewrites it).
func TestAPI(t *testing.T) { apilist.Test(t, "../api/redisquota.txt") }
