package taurusjob

import (
	"strings"
	"testing"
)

// The body limit (MaxBodyBytes, 1 MiB) is what bounds the memory a poll
// costs, and an instance keeps at most 256 actions and nodes: reading one
// must not cost an allocation per entry of a list it does not keep. A
// hostile DDS answer of a quarter million actions, or of forty thousand
// groups, took a copy of every entry (some 40 MB per poll of a 1 MiB
// body, for each wait polling), though all but 256 were dropped.
func TestInstanceListsAreReadOnlyAsFarAsKept(t *testing.T) {
	bodies := map[string]string{
		"actions": `{"id":"x","status":"normal","actions":[` + strings.Repeat(`"Resizing",`, 100000) + `"a"]}`,
		"groups":  `{"id":"x","status":"normal","groups":[` + strings.Repeat(`{"nodes":[{"id":"n"}]},`, 40000) + `{}]}`,
		"nodes":   `{"id":"x","status":"normal","groups":[{"nodes":[` + strings.Repeat(`{"id":"n"},`, 100000) + `{}]}]}`,
	}
	for name, body := range bodies {
		var info *InstanceInfo
		allocs := testing.AllocsPerRun(1, func() { info = instanceInfo([]byte(body), "x", ServiceDDS) })
		if n := len(info.Actions) + len(info.Nodes); n != maxInstanceItems {
			t.Errorf("%s: kept %d entries; want %d", name, n, maxInstanceItems)
		}
		if allocs > 40*maxInstanceItems {
			t.Errorf("%s: %.0f allocations to keep %d entries; want a bounded few per entry kept", name, allocs, maxInstanceItems)
		}
	}
}
