package taurusjobtest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync/atomic"
	"time"
)

// timeLayout is the layout of the created and ended times in job bodies:
// an offset without a colon, as the API writes them.
const timeLayout = "2006-01-02T15:04:05-0700"

// apiZone is the time zone of the created and ended times in job bodies:
// UTC+08:00, as the API usually answers.
var apiZone = time.FixedZone("CST", 8*60*60)

const (
	defaultJobName    = "CreateGaussDBforMySQLInstance"
	defaultFailReason = "The job failed (scripted by taurusjobtest)."
)

// job is a [Job] compiled for fast answers: its phases as offsets from
// created, and its bodies rendered ahead of time.
type job struct {
	view      jobView
	created   time.Time
	invisible time.Duration
	phases    []phaseRun
	end       time.Duration // offset of the terminal status; Forever if never
	outcome   Outcome
	final     []byte       // the terminal body
	count     atomic.Int64 // requests for this job
}

// phaseRun is one compiled phase: body = head + process + tail.
type phaseRun struct {
	status     string
	start, end time.Duration // offsets from created
	profile    Profile       // nil when the phase reports no progress
	head, tail []byte
	full       []byte // head + tail: the body without progress
}

// jobView holds the fields of a job body that do not change with time.
type jobView struct {
	id, name, created, ended string
	instID, instName         string
	orderID                  string // in job lists only
	failReason               string
	entities                 []byte
	shape                    shape
}

func compile(j Job, loc *time.Location, sh shape) *job {
	jb := &job{
		created:   j.Created,
		invisible: max(j.Invisible, 0),
		outcome:   j.Outcome,
	}
	v := jobView{id: j.ID, name: j.Name, instID: j.Instance.ID, instName: j.Instance.Name, orderID: j.OrderID,
		created: j.Created.In(loc).Format(timeLayout), entities: j.Entities, shape: sh}
	if v.name == "" {
		v.name = sh.jobName
	}
	if v.instID == "" && v.instName == "" {
		v.instID, v.instName = instanceID(j.ID, sh.instSuffix), "taurusjobtest-instance"
	}
	if v.entities == nil {
		v.entities = []byte("{}")
	} else if !json.Valid(v.entities) {
		panic(fmt.Sprintf("taurusjobtest: AddJob: Entities of job %q is not valid JSON", j.ID))
	}
	jb.view = v

	at := jb.invisible
	for _, p := range phasesOf(j) {
		if p.For <= 0 {
			continue
		}
		pr := phaseRun{status: p.Status, start: at, end: addSat(at, p.For)}
		if p.Status == "Running" {
			pr.profile = p.Profile
			if pr.profile == nil {
				pr.profile = Linear
			}
		}
		pr.head, pr.tail = v.render(p.Status, "", "")
		pr.full = append(append([]byte(nil), pr.head...), pr.tail...)
		jb.phases = append(jb.phases, pr)
		at = pr.end
	}
	jb.end = at
	if at != Forever {
		jb.view.ended = j.Created.Add(at).In(loc).Format(timeLayout)
	}
	if j.Outcome != Completed {
		jb.view.failReason = j.FailReason
		if j.Outcome == Failed && j.FailReason == "" {
			jb.view.failReason = defaultFailReason
		}
	}
	head, tail := jb.view.render(j.Outcome.String(), jb.view.ended, jb.view.failReason)
	jb.final = append(head, tail...)
	return jb
}

func phasesOf(j Job) []Phase {
	if len(j.Phases) > 0 {
		return j.Phases
	}
	return []Phase{
		{Status: "Pending", For: j.Pending},
		{Status: "Unauthorized", For: j.Unauthorized},
		{Status: "Running", For: j.Running, Profile: j.Profile},
	}
}

// body returns the job's body at now, or visible false while it is not
// visible yet. The returned slice must not be modified.
func (jb *job) body(now time.Time) (body []byte, visible bool) {
	ph, process, visible := jb.at(now)
	switch {
	case !visible:
		return nil, false
	case ph == nil:
		return jb.final, true
	case process == "":
		return ph.full, true
	}
	b := make([]byte, 0, len(ph.head)+len(process)+len(ph.tail))
	return append(append(append(b, ph.head...), process...), ph.tail...), true
}

// bodyAs renders the job's body at now with another id: the slow path of
// the wrong-id fault.
func (jb *job) bodyAs(now time.Time, id string) []byte {
	ph, process, _ := jb.at(now)
	v := jb.view
	v.id = id
	if ph == nil {
		head, tail := v.render(jb.outcome.String(), v.ended, v.failReason)
		return append(head, tail...)
	}
	head, tail := v.render(ph.status, "", "")
	return append(append(head, process...), tail...)
}

// at finds the phase at now (nil once terminal) and its progress text.
func (jb *job) at(now time.Time) (ph *phaseRun, process string, visible bool) {
	e := now.Sub(jb.created)
	if e < jb.invisible {
		return nil, "", false
	}
	for i := range jb.phases {
		ph := &jb.phases[i]
		if e >= ph.end {
			continue
		}
		if ph.profile == nil {
			return ph, "", true
		}
		p := ph.profile(e-ph.start, ph.end-ph.start)
		if p < 0 {
			return ph, "", true
		}
		return ph, strconv.Itoa(min(p, 100)) + "%", true
	}
	return nil, "", true
}

// render writes the job body around its process value.
func (v jobView) render(status, ended, failReason string) (head, tail []byte) {
	head = append(head, `{"job":{"id":`...)
	head = appendString(head, v.id)
	head = append(head, `,"name":`...)
	head = appendString(head, v.name)
	head = append(head, `,"status":`...)
	head = appendString(head, status)
	head = append(head, `,"created":`...)
	head = appendString(head, v.created)
	head = append(head, `,"ended":`...)
	head = appendString(head, ended)
	head = append(head, `,"`...)
	head = append(head, v.shape.percentKey...)
	head = append(head, `":"`...)
	tail = append(tail, `","instance":{"id":`...)
	tail = appendString(tail, v.instID)
	tail = append(tail, `,"name":`...)
	tail = appendString(tail, v.instName)
	tail = append(tail, '}')
	if v.shape.entities {
		tail = append(tail, `,"entities":`...)
		tail = append(tail, v.entities...)
	}
	tail = append(tail, `,"fail_reason":`...)
	if failReason == "" && v.shape.nullFailReason {
		tail = append(tail, "null"...)
	} else {
		tail = appendString(tail, failReason)
	}
	return head, append(tail, "}}"...)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// instanceID makes a real-looking instance id (32 hex digits and the
// service's suffix, such as "in07") from a job id.
func instanceID(jobID, suffix string) string {
	h := fnv.New64a()
	h.Write([]byte(jobID))
	x := h.Sum64()
	return fmt.Sprintf("%016x%016x%s", mix(x), mix(^x), suffix)
}
