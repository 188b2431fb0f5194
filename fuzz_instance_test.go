package taurusjob

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeInstanceBody: whatever the network sends, finding and reading
// an instance never panics, and an instance it returns is one a wait can
// judge: Raw is a JSON object whose id is the one asked for (or absent),
// and what is kept is bounded, valid UTF-8 on one line.
func FuzzDecodeInstanceBody(f *testing.F) {
	for _, name := range fixtureNames(f, "instances") {
		f.Add(readFixture(f, name), uint8(0))
		f.Add(readFixture(f, name), uint8(3))
	}
	for _, s := range []string{``, `null`, `[]`, `{"instance":[]}`, `{"instances":[1,"a",null,{"id":"ID"}]}`,
		`{"instance":{"id":"ID","nodes":[{"id":1,"type":2}]}}`, `{"instances":[{"id":"ID","groups":[{"nodes":[{}]}],"actions":[1,{}]}]}`} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, svcByte uint8) {
		svc := Service(int(svcByte) % len(services))
		find := findListed
		if svc == ServiceTaurusDB {
			find = findDetail
		}
		raw, err := find(body, "ID")
		if err != nil {
			if raw != nil {
				t.Fatalf("an instance and an error: %s, %v", raw, err)
			}
			if !errors.Is(err, errNoInstance) && !strings.Contains(err.Error(), "malformed") && !strings.Contains(err.Error(), "instance") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if !json.Valid(raw) || raw[0] != '{' {
			t.Fatalf("Raw is not a JSON object: %q", raw)
		}
		info := instanceInfo(raw, "ID", svc)
		if info.ID != "ID" || len(info.Nodes) > maxInstanceItems || len(info.Actions) > maxInstanceItems {
			t.Fatalf("got %+v", info)
		}
		texts := append([]string{info.Name, info.Status}, info.Actions...)
		for _, n := range info.Nodes {
			texts = append(texts, n.ID, n.Name, n.Role, n.Status)
		}
		for _, s := range texts {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\n\r\x1b") || len(s) > maxSavedName+32 {
				t.Fatalf("kept text %q is not bounded, one-line UTF-8", s)
			}
		}
	})
}
