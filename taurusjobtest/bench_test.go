package taurusjobtest

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// benchmarkGet polls 10,000 running jobs in memory from parallel goroutines.
func benchmarkGet(b *testing.B, opts ...Option) {
	srv := NewInMemory(opts...)
	defer srv.Close()
	urls := make([]string, 10_000)
	for i := range urls {
		urls[i] = jobURL(srv, srv.AddJob(Job{Running: time.Hour}))
	}
	rt := NewTransport(srv)
	var n atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", urls[n.Add(1)%uint64(len(urls))], nil)
			req.Header.Set("X-Auth-Token", srv.Token())
			resp, err := rt.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

func BenchmarkInMemoryGet(b *testing.B)          { benchmarkGet(b, WithMaxRecords(0)) }
func BenchmarkInMemoryGetRecording(b *testing.B) { benchmarkGet(b, WithMaxRecords(defaultMaxRecords)) }
