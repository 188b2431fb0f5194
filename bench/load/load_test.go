package load

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// loadWaits is how many waits BenchmarkWait10k runs at once.
const loadWaits = 10_000

// tunedClient keeps up to n connections to the API, open and idle: the
// fix when many waits share one host.
func tunedClient(n int) func() *http.Client {
	return func() *http.Client {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxConnsPerHost, t.MaxIdleConnsPerHost, t.MaxIdleConns = n, n, n
		return &http.Client{Transport: t}
	}
}

// BenchmarkWait10k runs 10,000 concurrent waits, each for its own job,
// polled every 250 ms to 1 s; the jobs complete once every wait has made
// 3 polls. One op is the whole run (a run takes more than the default
// -benchtime, so b.N stays 1). Metrics:
//   - B/wait: heap in use + goroutine stacks in use, after a GC, once every
//     wait has had its first answer, minus the same before the waits,
//     divided by the waits (server and client share the process: over
//     loopback this includes both ends of the open connections, and the
//     requests queued for one); live-B/wait: the same with the live heap
//     (HeapAlloc) instead of the heap's spans in use;
//   - first-answer-s: from the start until every wait had its first answer;
//   - polls/wait, conns (connections the server accepted), conns/poll,
//     max-open-conns, poll-errors (polls retried after an error), and
//     completed-% (every wait must return Completed).
func BenchmarkWait10k(b *testing.B) {
	fds := fileLimit()
	fast := [2]time.Duration{250 * time.Millisecond, time.Second}
	cases := []struct {
		name string
		cfg  loadConfig
	}{
		// Every wait sleeps 5 s after its first answer, which all get
		// sooner: memory is measured with every wait asleep.
		{"in-memory/sleeping", loadConfig{inMemory: true, polls: 1, interval: [2]time.Duration{5 * time.Second, 5 * time.Second}}},
		{"in-memory", loadConfig{inMemory: true, polls: 3, interval: fast}},
		{"loopback/default-transport", loadConfig{polls: 3, interval: fast}},
		{"loopback/max-conns-512", loadConfig{client: tunedClient(512), polls: 3, interval: fast}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cfg := c.cfg
			cfg.waits = loadWaits
			var st loadStats
			for range b.N {
				st = runLoad(b, cfg)
			}
			b.Log(st)
			if !cfg.inMemory {
				b.Log(fds)
			}
			if st.completed != st.waits {
				b.Errorf("%d of %d waits completed; first other result: %v", st.completed, st.waits, st.firstErr)
			}
			if st.firstPollErr != nil {
				b.Logf("first retried poll error: %v", st.firstPollErr)
			}
			if st.serverLogs > 0 {
				b.Logf("server log: %d lines, first: %s", st.serverLogs, st.firstLog)
			}
			b.ReportMetric(st.bytesPerWait, "B/wait")
			b.ReportMetric(st.livePerWait, "live-B/wait")
			b.ReportMetric(st.allAnswered.Seconds(), "first-answer-s")
			b.ReportMetric(float64(st.polls)/float64(st.waits), "polls/wait")
			b.ReportMetric(100*float64(st.completed)/float64(st.waits), "completed-%")
			b.ReportMetric(float64(st.pollErrors), "poll-errors")
			if !cfg.inMemory {
				b.ReportMetric(float64(st.opened), "conns")
				b.ReportMetric(float64(st.opened)/float64(st.polls), "conns/poll")
				b.ReportMetric(float64(st.maxOpen), "max-open-conns")
			}
		})
	}
}

// bareJob is the job body decoded the plainest way.
type bareJob struct {
	Job struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Status   string `json:"status"`
		Created  string `json:"created"`
		Ended    string `json:"ended"`
		Process  string `json:"process"`
		Instance struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"instance"`
		Entities   json.RawMessage `json:"entities"`
		FailReason string          `json:"fail_reason"`
	} `json:"job"`
}

// bareGet is one poll without taurusjob: GET, read, decode.
func bareGet(ctx context.Context, hc *http.Client, url, token string) (*bareJob, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var j bareJob
	return &j, json.Unmarshal(body, &j)
}

// BenchmarkPoll is one poll of a Running job: taurusjob's Client.GetJob
// against a bare net/http GET + json.Unmarshal of the same body, over
// loopback (server CPU and socket time included, the same for both) and
// from a canned answer (the client's own CPU only).
func BenchmarkPoll(b *testing.B) {
	api := taurusjobtest.NewInMemory(taurusjobtest.WithMaxRecords(0))
	defer api.Close()
	id := api.AddJob(taurusjobtest.Job{Running: time.Hour, Entities: json.RawMessage(`{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster"}}`)})
	hs := httptest.NewServer(api)
	defer hs.Close()
	path := "/v3/" + api.ProjectID() + "/jobs?id=" + id

	// The body the API answers, for the canned transport.
	ctx := context.Background()
	req, _ := http.NewRequest(http.MethodGet, api.URL()+path, nil)
	req.Header.Set("X-Auth-Token", api.Token())
	resp, err := api.Client().Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("fetching the body to can: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	newClient := func(b *testing.B, endpoint string, hc *http.Client) *taurusjob.Client {
		c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: endpoint, ProjectID: api.ProjectID(),
			Token: api.Token(), HTTPClient: hc})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	clientBench := func(c *taurusjob.Client) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetJob(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	bareBench := func(hc *http.Client, base string) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bareGet(ctx, hc, base+path, api.Token()); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	loopTransport := http.DefaultTransport.(*http.Transport).Clone()
	loopTransport.MaxIdleConnsPerHost = 64 // as the Client's own transport
	b.Run("loopback/client-GetJob", clientBench(newClient(b, hs.URL, nil)))
	b.Run("loopback/bare-get-decode", bareBench(&http.Client{Transport: loopTransport}, hs.URL))
	b.Run("canned/client-GetJob", clientBench(newClient(b, "https://canned.invalid", &http.Client{Transport: canned{body}})))
	b.Run("canned/bare-get-decode", bareBench(&http.Client{Transport: canned{body}}, "https://canned.invalid"))
}

// TestLoadSmall is the load run shrunk for CI: 200 waits over loopback,
// every one completes, and with a bounded pool (32 connections) the
// connections are reused: about 32 opened (at most 40) for at least 1,000 polls.
// With the Client's own transport the counts depend on timing; they are
// logged, not checked.
func TestLoadSmall(t *testing.T) {
	for _, c := range []struct {
		name   string
		client func() *http.Client
	}{{"default-transport", nil}, {"max-conns-32", tunedClient(32)}} {
		t.Run(c.name, func(t *testing.T) {
			st := runLoad(t, loadConfig{
				waits:    200,
				client:   c.client,
				interval: [2]time.Duration{20 * time.Millisecond, 50 * time.Millisecond},
				polls:    5,
			})
			t.Log(st)
			if st.completed != st.waits {
				t.Fatalf("%d of %d waits completed; first other result: %v", st.completed, st.waits, st.firstErr)
			}
			if st.polls < 6*st.waits {
				t.Errorf("%d polls for %d waits, want at least 6 each (5 before the end, 1 to see it)", st.polls, st.waits)
			}
			// Reuse is the point: 32 connections for over 1,000 polls. A
			// few more may be opened when the server closes one as a
			// request races onto it (seen: 33 on a loaded machine, 2 runs in
			// 8, before the Poller too); one per poll would be over 1,000.
			if c.client != nil && st.opened > 40 {
				t.Errorf("%d connections opened with MaxConnsPerHost 32: they are not reused", st.opened)
			}
		})
	}
}
