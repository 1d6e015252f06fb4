package playback

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
)

// DefaultSpeed is the playback speed when Options.Speed is 0: ten recorded seconds a second, so
// that a run of an hour plays in six minutes.
const DefaultSpeed = 10

// DefaultMaxGap is the longest pause between two events in playback time when Options.MaxGap
// is 0: a session left idle for an hour between two runs plays the second one at once.
const DefaultMaxGap = 2 * time.Second

// Options configure a Player. The zero value plays from the start at DefaultSpeed.
type Options struct {
	// Speed is how many recorded seconds play in one second; 0 means DefaultSpeed.
	Speed float64
	// MaxGap caps the pause between two events, in playback time; 0 means DefaultMaxGap.
	MaxGap time.Duration
	// Prefix is put before every run ID ("name/run-1"), so that played-back runs do not clash
	// with live ones or with another session's; "" keeps the recorded IDs.
	Prefix string
	// AtEnd starts at the end, every event delivered at once (a session opened to look at, not
	// to watch); Paused starts paused.
	AtEnd, Paused bool
	// Clock paces the events; nil is the real clock.
	Clock Clock
}

// ErrReadOnly is returned when a played-back run is asked to start or stop.
var ErrReadOnly = errors.New("a played-back session is read-only: its runs cannot be started or stopped")

// Player plays one session's run events back in the order and at the pace they were recorded
// (divided by the speed). Its position is the number of events delivered so far; it can pause,
// change speed and seek, by epoch or to either end. A Player is safe for concurrent use.
type Player struct {
	name string
	file string
	ids  map[string]bool // the (prefixed) run IDs
	evs  []train.Event
	gaps []time.Duration // recorded time between event i-1 and event i
	at   []time.Duration // recorded time of event i since the first
	eps  []int           // indices of the EpochDone events

	clock  Clock
	maxGap time.Duration
	wake   chan struct{}

	mu     sync.Mutex
	emit   func([]train.Event) // delivers events; called with mu held, must not block
	pos    int
	paused bool
	speed  float64
	due    time.Time     // when event pos is delivered, while playing
	left   time.Duration // the time left before event pos, while paused
	gen    int           // counts seeks backwards
}

// New returns a player of the session's runs. It plays nothing until Run is called (a Deck
// calls it); events go to emit.
func New(s *sessions.Session, opt Options) (*Player, error) {
	p := &Player{clock: opt.Clock, maxGap: opt.MaxGap, speed: opt.Speed, paused: opt.Paused,
		ids: map[string]bool{}, wake: make(chan struct{}, 1), file: s.File}
	if p.clock == nil {
		p.clock = realClock{}
	}
	if p.maxGap <= 0 {
		p.maxGap = DefaultMaxGap
	}
	if p.speed <= 0 {
		p.speed = DefaultSpeed
	}
	p.name = opt.Prefix
	if p.name == "" {
		p.name = strings.TrimSuffix(filepath.Base(s.File), filepath.Ext(s.File))
	}
	type stamped struct {
		ev    train.Event
		t     time.Time
		order int
	}
	var all []stamped
	for _, r := range s.Runs() {
		for _, ev := range r.Events {
			ev = withRun(ev, opt.Prefix+ev.RunID())
			if _, ok := ev.(train.BatchDone); ok {
				continue
			}
			if _, ok := ev.(train.Preparing); ok {
				continue
			}
			p.ids[ev.RunID()] = true
			all = append(all, stamped{ev: ev, t: eventTime(ev), order: len(all)})
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%s: the session holds no run events to play back", s.File)
	}
	// Runs follow one another, but a resumed run's events may come later than another's: play
	// everything in time order, and events of the same instant in recorded order.
	slices.SortStableFunc(all, func(a, b stamped) int { return a.t.Compare(b.t) })
	t0 := all[0].t
	for i, x := range all {
		p.evs = append(p.evs, x.ev)
		gap := time.Duration(0)
		if i > 0 && !x.t.IsZero() && !all[i-1].t.IsZero() {
			gap = max(0, x.t.Sub(all[i-1].t))
		}
		p.gaps = append(p.gaps, gap)
		at := time.Duration(0)
		if !x.t.IsZero() && !t0.IsZero() {
			at = max(0, x.t.Sub(t0))
		}
		p.at = append(p.at, at)
		if _, ok := x.ev.(train.EpochDone); ok {
			p.eps = append(p.eps, i)
		}
	}
	if opt.AtEnd {
		p.pos = len(p.evs)
	}
	p.left = p.wait(p.pos)
	p.due = p.clock.Now().Add(p.left)
	return p, nil
}

func eventTime(ev train.Event) time.Time {
	switch e := ev.(type) {
	case train.RunStarted:
		return e.Time
	case train.EpochDone:
		return e.Time
	case train.EvalDone:
		return e.Time
	case train.RunFinished:
		return e.Time
	case train.BatchDone:
		return e.Time
	case train.Preparing:
		return e.Time
	}
	return time.Time{}
}

// withRun returns ev with its run ID replaced.
func withRun(ev train.Event, id string) train.Event {
	switch e := ev.(type) {
	case train.RunStarted:
		e.Run = id
		return e
	case train.EpochDone:
		e.Run = id
		return e
	case train.EvalDone:
		e.Run = id
		return e
	case train.RunFinished:
		e.Run = id
		return e
	case train.BatchDone:
		e.Run = id
		return e
	case train.Preparing:
		e.Run = id
		return e
	}
	return ev
}

// Name names the player: its prefix, else the session file's name.
func (p *Player) Name() string { return p.name }

// File is the session file played.
func (p *Player) File() string { return p.file }

// Owns says whether a run ID is one of the player's runs.
func (p *Player) Owns(id string) bool { return p.ids[id] }

// RunIDs lists the player's runs in the order they started.
func (p *Player) RunIDs() []string {
	var out []string
	for _, ev := range p.evs {
		if _, ok := ev.(train.RunStarted); ok && !slices.Contains(out, ev.RunID()) {
			out = append(out, ev.RunID())
		}
	}
	for _, ev := range p.evs { // runs that failed before starting
		if !slices.Contains(out, ev.RunID()) {
			out = append(out, ev.RunID())
		}
	}
	return out
}

// Len is the number of events played back in all.
func (p *Player) Len() int { return len(p.evs) }

// wait is the playback time before event i. mu is held (or the player is not shared yet).
func (p *Player) wait(i int) time.Duration {
	if i <= 0 || i >= len(p.evs) {
		return 0
	}
	return min(time.Duration(float64(p.gaps[i])/p.speed), p.maxGap)
}

// Run delivers the events at their pace until ctx is done. A Deck runs it in a goroutine.
func (p *Player) Run(ctx context.Context) {
	for {
		p.mu.Lock()
		now := p.clock.Now()
		p.advance(now)
		var timer <-chan time.Time
		if !p.paused && p.pos < len(p.evs) {
			timer = p.clock.After(p.due.Sub(now))
		}
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-timer:
		}
	}
}

// advance delivers every event due by now. mu is held.
func (p *Player) advance(now time.Time) {
	if p.paused {
		return
	}
	start := p.pos
	for p.pos < len(p.evs) && !now.Before(p.due) {
		p.pos++
		p.due = p.due.Add(p.wait(p.pos))
	}
	p.deliver(start, p.pos)
}

func (p *Player) deliver(from, to int) {
	if to > from && p.emit != nil {
		p.emit(slices.Clone(p.evs[from:to]))
	}
}

// poke wakes the Run loop after a change.
func (p *Player) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// State is where a playback is, for the playback bar.
type State struct {
	Name string
	// Pos events of Len have been delivered.
	Pos, Len int
	Paused   bool
	Ended    bool
	Speed    float64
	// Run is the run of the last delivered event; Epoch its last delivered epoch and Epochs
	// the epochs it recorded.
	Run           string
	Epoch, Epochs int
	// At is the recorded time of the last delivered event since the first; Total the whole
	// session's.
	At, Total time.Duration
	// Gen counts seeks backwards: the watchers must forget what they were shown when it
	// changes.
	Gen int
}

// State returns the player's state.
func (p *Player) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state()
}

func (p *Player) state() State {
	st := State{Name: p.name, Pos: p.pos, Len: len(p.evs), Paused: p.paused, Ended: p.pos == len(p.evs),
		Speed: p.speed, Total: p.at[len(p.at)-1], Gen: p.gen}
	if p.pos > 0 {
		last := p.evs[p.pos-1]
		st.Run, st.At = last.RunID(), p.at[p.pos-1]
		for i, ev := range p.evs {
			e, ok := ev.(train.EpochDone)
			if !ok || ev.RunID() != st.Run {
				continue
			}
			st.Epochs++
			if i < p.pos {
				st.Epoch = e.Epoch
			}
		}
	}
	return st
}

// Pause stops the playback where it is; Play goes on; Toggle does the one or the other.
func (p *Player) Pause() State { return p.control(func(now time.Time) { p.pause(now) }) }

// Play goes on from where the playback is (from the start when it had ended).
func (p *Player) Play() State {
	return p.control(func(now time.Time) {
		if p.pos == len(p.evs) {
			p.seek(1, now)
		}
		p.play(now)
	})
}

// Toggle pauses a playing player and plays a paused one.
func (p *Player) Toggle() State {
	p.mu.Lock()
	paused := p.paused || p.pos == len(p.evs)
	p.mu.Unlock()
	if paused {
		return p.Play()
	}
	return p.Pause()
}

func (p *Player) pause(now time.Time) {
	if !p.paused {
		p.left = max(0, p.due.Sub(now))
		p.paused = true
	}
}

func (p *Player) play(now time.Time) {
	if p.paused {
		p.due = now.Add(p.left)
		p.paused = false
	}
}

// SetSpeed changes the speed (recorded seconds per second); the wait for the next event
// shrinks or grows with it.
func (p *Player) SetSpeed(x float64) State {
	return p.control(func(now time.Time) {
		if x <= 0 || x == p.speed {
			return
		}
		if p.paused {
			p.left = time.Duration(float64(p.left) * p.speed / x)
		} else {
			p.due = now.Add(time.Duration(float64(max(0, p.due.Sub(now))) * p.speed / x))
		}
		p.speed = x
	})
}

// Step moves by n epochs (back when n < 0) and pauses there: the position becomes just after
// the epoch's report. Past the last epoch it goes to the end, before the first to the start.
func (p *Player) Step(n int) State {
	return p.control(func(now time.Time) {
		p.pause(now)
		k := p.pos
		for ; n > 0; n-- {
			i, _ := slices.BinarySearch(p.eps, k) // the first epoch at or after k
			if i == len(p.eps) {
				k = len(p.evs)
				break
			}
			k = p.eps[i] + 1
		}
		for ; n < 0; n++ {
			i, _ := slices.BinarySearch(p.eps, k-1) // epochs before the one delivered last
			if i == 0 {
				k = 1
				break
			}
			k = p.eps[i-1] + 1
		}
		p.seek(k, now)
	})
}

// Restart goes back to the start (the first run just started) and plays.
func (p *Player) Restart() State {
	return p.control(func(now time.Time) {
		p.seek(1, now)
		p.paused = false
		p.due = now
	})
}

// End delivers every event left: the final state.
func (p *Player) End() State {
	return p.control(func(now time.Time) { p.seek(len(p.evs), now) })
}

// Seek moves to position k (0..Len): forwards it delivers the events in between at once;
// backwards it counts a new generation, and watchers must be started afresh.
func (p *Player) Seek(k int) State {
	return p.control(func(now time.Time) { p.seek(k, now) })
}

func (p *Player) control(f func(now time.Time)) State {
	p.mu.Lock()
	f(p.clock.Now())
	st := p.state()
	p.mu.Unlock()
	p.poke()
	return st
}

func (p *Player) seek(k int, now time.Time) {
	k = max(0, min(len(p.evs), k))
	switch {
	case k < p.pos:
		p.pos = k
		p.gen++
	case k > p.pos:
		from := p.pos
		p.pos = k
		p.deliver(from, k)
	}
	p.left = p.wait(k)
	p.due = now.Add(p.left)
}

// delivered returns the events delivered so far (a copy), under mu.
func (p *Player) delivered() []train.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.evs[:p.pos])
}

// Runs describes the player's runs as far as they have played, in the order they started.
func (p *Player) Runs() []engine.RunInfo {
	evs := p.delivered()
	byID := map[string]*engine.RunInfo{}
	var order []string
	for _, ev := range evs {
		id := ev.RunID()
		r := byID[id]
		if r == nil {
			r = &engine.RunInfo{ID: id, State: engine.StateQueued, Owner: "replay"}
			byID[id] = r
			order = append(order, id)
		}
		switch e := ev.(type) {
		case train.RunStarted:
			r.Spec, r.State, r.Started, r.Queued = e.Spec, engine.StateRunning, e.Time, e.Time
		case train.EpochDone:
			last := e
			r.Last = &last
		case train.EvalDone:
			if e.Result != nil {
				r.Result = e.Result
			}
		case train.RunFinished:
			if e.Result != nil {
				r.Result = e.Result
			}
			switch {
			case e.Err != "":
				r.State, r.Err = engine.StateFailed, e.Err
			case e.Stopped:
				r.State = engine.StateStopped
			default:
				r.State = engine.StateFinished
			}
		}
	}
	out := make([]engine.RunInfo, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

// History returns a run's events delivered so far.
func (p *Player) History(id string) ([]train.Event, error) {
	if !p.ids[id] {
		return nil, fmt.Errorf("%w: %s", engine.ErrUnknownRun, id)
	}
	var out []train.Event
	for _, ev := range p.delivered() {
		if ev.RunID() == id {
			out = append(out, ev)
		}
	}
	return out, nil
}
