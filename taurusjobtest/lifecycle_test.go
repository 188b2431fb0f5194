package taurusjobtest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"testing/synctest"
	"time"
)

// script is the life the lifecycle tests follow: invisible 8s, Pending
// 10s, Unauthorized 5s, Running 100s, then Failed at 123s.
var script = Job{
	Name:         "ResizeFlavor",
	Invisible:    8 * time.Second,
	Pending:      10 * time.Second,
	Unauthorized: 5 * time.Second,
	Running:      100 * time.Second,
	Outcome:      Failed,
	FailReason:   "flavor sold out",
	Entities:     json.RawMessage(`{"instance":{"id":"x"},"resource_ids":["a","b"]}`),
}

var steps = []struct {
	at      time.Duration
	visible bool
	status  string
	process string
	ended   bool
}{
	{0, false, "", "", false},
	{7 * time.Second, false, "", "", false},
	{8 * time.Second, true, "Pending", "", false},
	{18 * time.Second, true, "Unauthorized", "", false},
	{23 * time.Second, true, "Running", "0%", false},
	{73 * time.Second, true, "Running", "50%", false},
	{122 * time.Second, true, "Running", "99%", false},
	{123 * time.Second, true, "Failed", "", true},
	{1000 * time.Hour, true, "Failed", "", true},
}

var timeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$`)

// checkStep checks the answer for job id against one step of script.
func checkStep(t *testing.T, srv *Server, id string, created time.Time, i int) {
	t.Helper()
	st := steps[i]
	if !st.visible {
		wantError(t, get(t, srv, jobURL(srv, id)), http.StatusNotFound, codeJobNotFound)
		return
	}
	j := getJob(t, srv, id)
	if j.ID != id || j.Name != "ResizeFlavor" || j.Status != st.status || j.Process != st.process {
		t.Errorf("at %s: got %+v, want status %s process %q", st.at, j, st.status, st.process)
	}
	if !timeRE.MatchString(j.Created) {
		t.Errorf("created %q is not in the API's form", j.Created)
	}
	if got, _ := time.Parse(timeLayout, j.Created); !got.Equal(created.Truncate(time.Second)) {
		t.Errorf("created %q, want %s", j.Created, created)
	}
	if st.ended {
		end, _ := time.Parse(timeLayout, j.Ended)
		if want := created.Add(123 * time.Second).Truncate(time.Second); !end.Equal(want) {
			t.Errorf("ended %q, want %s", j.Ended, want)
		}
		if j.FailReason != "flavor sold out" {
			t.Errorf("fail_reason %q", j.FailReason)
		}
	} else if j.Ended != "" || j.FailReason != "" {
		t.Errorf("at %s: ended %q fail_reason %q, want both empty", st.at, j.Ended, j.FailReason)
	}
	if string(j.Entities) != string(script.Entities) {
		t.Errorf("entities %s, want %s", j.Entities, script.Entities)
	}
	if len(j.Instance.ID) != 36 || j.Instance.ID[32:] != "in07" || j.Instance.Name == "" {
		t.Errorf("instance %+v", j.Instance)
	}
}

func TestLifecycleInMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory()
		defer srv.Close()
		created := time.Now().Add(500 * time.Millisecond) // not on a second
		time.Sleep(500 * time.Millisecond)
		id := srv.AddJob(script)
		for i, st := range steps {
			time.Sleep(time.Until(created.Add(st.at)))
			checkStep(t, srv, id, created, i)
		}
		end, outcome, ok := srv.JobEnd(id)
		if !ok || outcome != Failed || !end.Equal(created.Add(123*time.Second)) {
			t.Errorf("JobEnd = %s %s %v", end, outcome, ok)
		}
	})
}

func TestLifecycleLoopback(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	for i, st := range steps {
		// A job created st.at (and a little) ago; no waiting on real time.
		j := script
		j.Created = time.Now().Add(-st.at - 100*time.Millisecond)
		if i == 0 {
			j.Created = time.Now()
		}
		id := srv.AddJob(j)
		checkStep(t, srv, id, j.Created, i)
	}
}

func TestOutcomes(t *testing.T) {
	for _, tc := range []struct {
		o          Outcome
		reason     string
		wantReason string
	}{
		{Completed, "ignored", ""},
		{Failed, "", defaultFailReason},
		{Canceled, "canceled by the user", "canceled by the user"},
	} {
		forModes(t, func(t *testing.T, srv *Server) {
			id := srv.AddJob(Job{Outcome: tc.o, FailReason: tc.reason})
			j := getJob(t, srv, id)
			if j.Status != tc.o.String() || j.FailReason != tc.wantReason || j.Ended == "" || j.Process != "" {
				t.Errorf("%s: got %+v", tc.o, j)
			}
			if string(j.Entities) != "{}" {
				t.Errorf("entities %s, want {}", j.Entities)
			}
		})
	}
}

// A job answered otherwise than 404 while invisible is a Rule with Answer.
func TestNotVisibleByRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory()
		defer srv.Close()
		id := srv.AddJob(Job{Invisible: time.Minute})
		srv.AddRule(Rule{JobID: id, Until: time.Now().Add(time.Minute), Fault: Answer(http.StatusOK, "", `{"job":null}`)})
		if r := get(t, srv, jobURL(srv, id)); r.status != http.StatusOK || string(r.body) != `{"job":null}` {
			t.Errorf("got HTTP %d %s, want 200 {\"job\":null}", r.status, r.body)
		}
		time.Sleep(time.Minute)
		if j := getJob(t, srv, id); j.Status != "Completed" {
			t.Errorf("status %s once visible, want Completed", j.Status)
		}
	})
}

func TestUnknownJob(t *testing.T) {
	forModes(t, func(t *testing.T, srv *Server) {
		wantError(t, get(t, srv, jobURL(srv, "no-such-job")), http.StatusNotFound, codeJobNotFound)
	})
}

func TestNeverAppearsNeverEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory()
		defer srv.Close()
		never := srv.AddJob(Job{Invisible: Forever, Running: time.Minute})
		forever := srv.AddJob(Job{Running: Forever})
		time.Sleep(24 * 365 * time.Hour)
		wantError(t, get(t, srv, jobURL(srv, never)), http.StatusNotFound, codeJobNotFound)
		if j := getJob(t, srv, forever); j.Status != "Running" || j.Process != "0%" {
			t.Errorf("forever job: %+v", j)
		}
		for _, id := range []string{never, forever, "unknown"} {
			if _, _, ok := srv.JobEnd(id); ok {
				t.Errorf("JobEnd(%s) ok", id)
			}
		}
	})
}

func TestPhasesUnknownStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory()
		defer srv.Close()
		id := srv.AddJob(Job{
			Pending: time.Hour, // ignored: Phases is set
			Phases: []Phase{
				{Status: "Rebooting", For: 10 * time.Second},
				{Status: "Running", For: 10 * time.Second, Profile: NoProgress},
				{Status: "Skipped", For: 0},
				{Status: "Running", For: 10 * time.Second},
			},
			Outcome: Canceled,
		})
		for _, want := range []struct{ status, process string }{
			{"Rebooting", ""}, {"Running", ""}, {"Running", "0%"}, {"Canceled", ""},
		} {
			if j := getJob(t, srv, id); j.Status != want.status || j.Process != want.process {
				t.Errorf("at %s: got %s %q, want %s %q", time.Now(), j.Status, j.Process, want.status, want.process)
			}
			time.Sleep(10 * time.Second)
		}
	})
}

func TestProfiles(t *testing.T) {
	total := 100 * time.Second
	for _, tc := range []struct {
		name string
		p    Profile
		want []int // at 0, 10, 25, 50, 89, 90, 99, 100 seconds
	}{
		{"linear", Linear, []int{0, 10, 25, 50, 89, 90, 99, 100}},
		{"steps 20", Steps(20), []int{0, 0, 20, 40, 80, 80, 80, 100}},
		{"steps bad", Steps(0), []int{0, 0, 20, 40, 80, 80, 80, 100}},
		{"front-loaded", FrontLoaded, []int{0, 31, 50, 70, 94, 94, 99, 100}},
		{"stall then jump", StallThenJump, []int{10, 10, 10, 10, 10, 95, 95, 95}},
		{"none", NoProgress, []int{-1, -1, -1, -1, -1, -1, -1, -1}},
		{"stuck at 99", StuckAt(99), []int{0, 99, 99, 99, 99, 99, 99, 99}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i, s := range []int{0, 10, 25, 50, 89, 90, 99, 100} {
				if got := tc.p(time.Duration(s)*time.Second, total); got != tc.want[i] {
					t.Errorf("at %ds: got %d, want %d", s, got, tc.want[i])
				}
			}
		})
	}
}

func TestProfileInBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory()
		defer srv.Close()
		steps := srv.AddJob(Job{Running: 100 * time.Second, Profile: Steps(20)})
		none := srv.AddJob(Job{Running: 100 * time.Second, Profile: NoProgress})
		lies := srv.AddJob(Job{Running: 100 * time.Second, Profile: StuckAt(99)})
		time.Sleep(59 * time.Second)
		for id, want := range map[string]string{steps: "40%", none: "", lies: "99%"} {
			if j := getJob(t, srv, id); j.Status != "Running" || j.Process != want {
				t.Errorf("got %s %q, want Running %q", j.Status, j.Process, want)
			}
		}
	})
}

func TestAddJob(t *testing.T) {
	srv := NewInMemory()
	defer srv.Close()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := srv.AddJob(Job{})
		if !uuid.MatchString(id) || seen[id] {
			t.Fatalf("id %q: not UUID-shaped or seen before", id)
		}
		seen[id] = true
	}
	id := srv.AddJob(Job{ID: "mine", Instance: Instance{ID: "i1", Name: "db1"}, Running: time.Hour})
	if j := getJob(t, srv, id); id != "mine" || j.Instance.ID != "i1" || j.Instance.Name != "db1" || j.Name != defaultJobName {
		t.Errorf("got id %q, %+v", id, j)
	}
	srv.AddJob(Job{ID: "mine"}) // replaces
	if j := getJob(t, srv, id); j.Status != "Completed" {
		t.Errorf("replaced job: %s", j.Status)
	}

	defer func() {
		if recover() == nil {
			t.Error("AddJob accepted invalid entities")
		}
	}()
	srv.AddJob(Job{Entities: json.RawMessage(`{"a":`)})
}
