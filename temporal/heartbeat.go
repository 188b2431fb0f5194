package taurustemporal

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// Heartbeat is what the activities record as heartbeat details: the wait's
// resume token, which the next attempt resumes from, and a few fields for
// people looking at the pending activity in Temporal's UI. It holds no
// credential and no response body.
type Heartbeat struct {
	Token    string `json:"token"`            // from [taurusjob.Poller.ResumeToken]
	Status   string `json:"status,omitempty"` // the job's last status seen
	Progress int    `json:"progress"`         // 0..100, or -1 when not reported
	Polls    int    `json:"polls"`
	// InstanceStatus is the instance's last status, once the wait reads it.
	InstanceStatus string `json:"instance_status,omitempty"`
}

// heartbeat records the wait's state. The SDK sends at most one heartbeat
// per throttle interval and keeps the latest details for the end of it, so
// calling it often costs no extra request.
//
// The SDK sends those held-back details later with the ctx of the call
// that opened the interval; when a worker begins to stop, or the interval
// ends as the attempt does, that late send races the activity's return,
// which cancels ctx. With ctx's cancel the last heartbeat of a stopping
// worker was often lost (1 to 4 of 7 waits on the dev server with the default
// throttle); without it, it is sent.
func heartbeat(ctx context.Context, p *taurusjob.Poller, u taurusjob.Update) {
	token, err := p.ResumeToken()
	if err != nil {
		return // never for a Poller made by a Waiter
	}
	hb := Heartbeat{
		Token:    token,
		Status:   clip.Text(string(u.Status), maxShortText),
		Progress: u.Progress,
		Polls:    u.Poll,
	}
	if u.Instance != nil {
		hb.InstanceStatus = clip.Text(u.Instance.Status, maxShortText)
	}
	activity.RecordHeartbeat(context.WithoutCancel(ctx), hb)
}

// readyPoller is poller for a wait on an instance alone.
func (a *Activities) readyPoller(ctx context.Context, instanceID string) (p *taurusjob.Poller, fresh bool, err error) {
	if a == nil || a.Waiter == nil {
		return nil, false, invalidInput(errors.New("taurustemporal: Activities has no Waiter"))
	}
	if token, ok := lastToken(ctx); ok {
		if p, err = a.Waiter.ResumeReadyPoller(instanceID, token); err == nil {
			return p, false, nil
		}
		activity.GetLogger(ctx).Warn("taurustemporal: cannot resume from the last heartbeat; starting a new wait",
			"instance_id", clip.Text(instanceID, maxShortText), "error", err)
	}
	if p, err = a.Waiter.NewReadyPoller(instanceID); err != nil {
		return nil, false, invalidInput(err)
	}
	return p, true, nil
}

// lastToken is the resume token of the last heartbeat of an earlier
// attempt, if there is one.
func lastToken(ctx context.Context) (string, bool) {
	if !activity.HasHeartbeatDetails(ctx) {
		return "", false
	}
	var hb Heartbeat
	if activity.GetHeartbeatDetails(ctx, &hb) != nil {
		return "", false
	}
	return hb.Token, true
}

// poller returns the wait of this activity: resumed from the last
// heartbeat of an earlier attempt when there is one, else a new wait
// (fresh).
//
// A heartbeat that cannot be resumed (made under another
// taurusjob.WithStateKey after a deploy, say) starts a new wait with a
// warning rather than failing the workflow: the job is still there, and
// only its deadline and grace window count again from now.
func (a *Activities) poller(ctx context.Context, jobID string) (p *taurusjob.Poller, fresh bool, err error) {
	if a == nil || a.Waiter == nil {
		return nil, false, invalidInput(errors.New("taurustemporal: Activities has no Waiter"))
	}
	if activity.HasHeartbeatDetails(ctx) {
		var hb Heartbeat
		err := activity.GetHeartbeatDetails(ctx, &hb)
		if err == nil {
			if p, err = a.Waiter.ResumePoller(jobID, hb.Token); err == nil {
				return p, false, nil
			}
		}
		if taurusjob.ValidateJobID(jobID) == nil {
			activity.GetLogger(ctx).Warn("taurustemporal: cannot resume from the last heartbeat; starting a new wait",
				"job_id", jobID, "error", err)
		}
	}
	if p, err = a.Waiter.NewPoller(jobID); err != nil {
		return nil, false, invalidInput(err)
	}
	return p, true, nil
}
