package taurusjobtest

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// InstanceStep is one stretch of a scripted instance's life.
type InstanceStep struct {
	// Status is what the instance reports, as its service spells it:
	// "BUILD", "ACTIVE", "BACKING UP", "FAILED", "FROZEN" (TaurusDB, RDS,
	// openGauss), "creating", "normal", "createfail", "frozen" (DDS), or
	// anything else (an unknown status).
	Status string
	// Actions are DDS's actions under way, such as ["RESTARTING"]: a
	// "normal" instance with actions is busy. Other services ignore them.
	Actions []string
	// For is how long the step lasts; 0 or less skips it, except that the
	// instance stays in the last step's status once the steps are over.
	For time.Duration
}

// InstanceScript scripts one instance's life, counted from Created: it
// goes through Steps in order and stays in the last one's status. Until
// Created it is not there: 404 for TaurusDB, an empty list for the
// others, as an unknown instance is.
//
// A [Job] whose Instance.ID names the instance drives it: once such a job
// ends Completed, the instance goes through AfterJob from the job's end,
// in place of Steps. The latest completed job counts.
type InstanceScript struct {
	// ID is the instance id; "" makes [Server.AddInstance] choose one: 32
	// hex digits and the service's suffix ("in07" for TaurusDB).
	ID string
	// Name is the instance's name; "" is "taurusjobtest-instance".
	Name string
	// Created is when the instance appears; zero is the time of
	// AddInstance.
	Created time.Time
	// Steps is the instance's life; empty is ready from the start
	// ("ACTIVE", or "normal" for DDS).
	Steps []InstanceStep
	// AfterJob is the life a completed job sets off. Empty is what a real
	// instance does after a create or a resize: ready for 10 s, backing up
	// for 2 min ("BACKING UP"; for DDS "normal" with actions ["BACKUP"], a
	// made-up action name), then ready for good.
	AfterJob []InstanceStep
	// Flexus makes an RDS instance a FlexusRDS one: listed only when the
	// request asks for group_type=flexus, as the real list does.
	Flexus bool
}

// instance is an [InstanceScript] compiled: its lives as timelines.
type instance struct {
	id, name string
	created  time.Time
	flexus   bool
	life     timeline
	afterJob timeline
}

// timeline is a list of steps as end offsets, and the status that stays.
type timeline struct {
	steps []timedStep
	last  InstanceStep
}

type timedStep struct {
	step InstanceStep
	end  time.Duration
}

func compileSteps(steps []InstanceStep, fallback []InstanceStep) timeline {
	if len(steps) == 0 {
		steps = fallback
	}
	var tl timeline
	at := time.Duration(0)
	for _, st := range steps {
		st.Actions = slices.Clone(st.Actions)
		tl.last = st
		if st.For <= 0 {
			continue
		}
		at = addSat(at, st.For)
		tl.steps = append(tl.steps, timedStep{step: st, end: at})
	}
	return tl
}

// at returns the step e after the timeline's start.
func (tl timeline) at(e time.Duration) InstanceStep {
	for _, ts := range tl.steps {
		if e < ts.end {
			return ts.step
		}
	}
	return tl.last
}

// readyStatus is the status of a ready instance of svc.
func readyStatus(svc taurusjob.Service) string {
	if svc == taurusjob.ServiceDDS {
		return "normal"
	}
	return "ACTIVE"
}

// defaultAfterJob is the life a completed job sets off when the script
// gives none.
func defaultAfterJob(svc taurusjob.Service) []InstanceStep {
	ready := readyStatus(svc)
	backup := InstanceStep{Status: "BACKING UP", For: 2 * time.Minute}
	if svc == taurusjob.ServiceDDS {
		backup = InstanceStep{Status: ready, Actions: []string{"BACKUP"}, For: 2 * time.Minute}
	}
	return []InstanceStep{{Status: ready, For: 10 * time.Second}, backup, {Status: ready}}
}

// instanceStore holds the scripted instances and, for each instance id,
// the ids of the jobs that name it. Its zero value is ready to use.
type instanceStore struct {
	mu     sync.RWMutex
	byID   map[string]*instance
	jobsOf map[string]map[string]bool // instance id → job ids
	seq    atomic.Uint64
}

// link records that job jobID names instance instID.
func (st *instanceStore) link(instID, jobID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.jobsOf == nil {
		st.jobsOf = make(map[string]map[string]bool)
	}
	if st.jobsOf[instID] == nil {
		st.jobsOf[instID] = make(map[string]bool)
	}
	st.jobsOf[instID][jobID] = true
}

// AddInstance adds (or replaces) an instance and returns its id. The
// server serves it in the shape of its service (see [WithService]):
// TaurusDB at GET /v3/{project_id}/instances/{id}, the others in the list
// GET /v3/{project_id}/instances?id={id}.
func (s *Server) AddInstance(in InstanceScript) string {
	svc := s.cfg.service
	if in.ID == "" {
		n := s.inst.seq.Add(1)
		in.ID = instanceID(fmt.Sprintf("instance-%d-%d", s.serial, n), shapes[svc].instSuffix)
	}
	if in.Name == "" {
		in.Name = "taurusjobtest-instance"
	}
	if in.Created.IsZero() {
		in.Created = time.Now()
	}
	ready := []InstanceStep{{Status: readyStatus(svc)}}
	inst := &instance{id: in.ID, name: in.Name, created: in.Created, flexus: in.Flexus,
		life: compileSteps(in.Steps, ready), afterJob: compileSteps(in.AfterJob, defaultAfterJob(svc))}
	s.inst.mu.Lock()
	if s.inst.byID == nil {
		s.inst.byID = make(map[string]*instance)
	}
	s.inst.byID[in.ID] = inst
	s.inst.mu.Unlock()
	return in.ID
}

// instanceAt returns instance id and its step at now, or nil before it
// was created and when there is no such instance.
func (s *Server) instanceAt(id string, now time.Time) (*instance, InstanceStep) {
	s.inst.mu.RLock()
	inst := s.inst.byID[id]
	var jobIDs []string
	for j := range s.inst.jobsOf[id] {
		jobIDs = append(jobIDs, j)
	}
	s.inst.mu.RUnlock()
	if inst == nil || now.Before(inst.created) {
		return nil, InstanceStep{}
	}
	if end, ok := s.lastCompleted(id, jobIDs, now); ok {
		return inst, inst.afterJob.at(now.Sub(end))
	}
	return inst, inst.life.at(now.Sub(inst.created))
}

// lastCompleted returns the latest end, at or before now, of the jobs
// among jobIDs that still name instance instID and ended Completed.
func (s *Server) lastCompleted(instID string, jobIDs []string, now time.Time) (last time.Time, ok bool) {
	for _, jid := range jobIDs {
		jb := s.lookup(jid)
		if jb == nil || jb.view.instID != instID || jb.outcome != Completed || jb.end == Forever {
			continue
		}
		if end := jb.created.Add(jb.end); !end.After(now) && (!ok || end.After(last)) {
			last, ok = end, true
		}
	}
	return last, ok
}
