package taurustemporal

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind: an
// activity's sleep, heartbeats and requests must end with the activity.
// Started as a worker by the real-server test, the binary runs that worker
// instead of the tests.
func TestMain(m *testing.M) {
	if name := os.Getenv(realWorkerEnv); name != "" {
		os.Exit(realWorkerMain(name))
	}
	goleak.VerifyTestMain(m)
}
