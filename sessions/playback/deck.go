package playback

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
)

// Live is the live engine's run calls (an engine.Hub's); any may be nil, and all nil is an
// engine that plays sessions back and trains nothing (`hark replay`).
type Live struct {
	Start   func(spec train.RunSpec) (string, error)
	Stop    func(id string) error
	Runs    func() []engine.RunInfo
	History func(id string) ([]train.Event, error)
	Watch   func(ctx context.Context) (<-chan train.Event, func())
}

// Deck puts played-back sessions beside the live engine's runs: its run calls answer for both,
// so that the workbench's run panes show a recorded run as they show a live one. Played-back
// runs cannot be started or stopped. The latest player added is the active one, the one the
// playback bar controls.
type Deck struct {
	live Live
	ctx  context.Context

	mu       sync.Mutex
	players  []*Player
	active   *Player
	watchers map[*deckWatcher]struct{}
}

// NewDeck returns a deck over the live engine's calls. ctx bounds the players' goroutines.
func NewDeck(ctx context.Context, live Live) *Deck {
	return &Deck{live: live, ctx: ctx, watchers: map[*deckWatcher]struct{}{}}
}

// Add plays a session on the deck and makes it the active player. A session already on the
// deck (the same file) is not added twice: its player goes to the end (opt.AtEnd) or plays
// again from the start, and back reports that it went backwards (the watchers must start
// afresh).
func (d *Deck) Add(s *sessions.Session, opt Options) (p *Player, back bool, err error) {
	d.mu.Lock()
	for _, q := range d.players {
		if s.File != "" && q.file == s.File {
			d.active = q
			d.mu.Unlock()
			gen := q.State().Gen
			st := q.End()
			if !opt.AtEnd {
				st = q.Restart()
			}
			return q, st.Gen != gen, nil
		}
	}
	// Keep run IDs apart from every other player's.
	if opt.Prefix != "" {
		base, n := strings.TrimSuffix(opt.Prefix, "/"), 1
		for d.prefixTaken(opt.Prefix) {
			n++
			opt.Prefix = base + "~" + strconv.Itoa(n) + "/"
		}
	}
	d.mu.Unlock()
	p, err = New(s, opt)
	if err != nil {
		return nil, false, err
	}
	d.mu.Lock()
	p.emit = d.broadcast
	d.players = append(d.players, p)
	d.active = p
	d.mu.Unlock()
	if opt.AtEnd {
		d.broadcast(p.delivered())
	}
	go p.Run(d.ctx)
	return p, false, nil
}

// prefixTaken says whether a player already uses prefix. d.mu is held.
func (d *Deck) prefixTaken(prefix string) bool {
	for _, q := range d.players {
		for id := range q.ids {
			if len(id) > len(prefix) && id[:len(prefix)] == prefix {
				return true
			}
		}
	}
	return false
}

// Active returns the player the playback bar controls, nil when none.
func (d *Deck) Active() *Player {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.active
}

// Players lists the players, oldest first.
func (d *Deck) Players() []*Player {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.players)
}

func (d *Deck) owner(id string) *Player {
	for _, p := range d.Players() {
		if p.Owns(id) {
			return p
		}
	}
	return nil
}

// Start starts a live run; a deck without a live engine refuses.
func (d *Deck) Start(spec train.RunSpec) (string, error) {
	if d.live.Start == nil {
		return "", fmt.Errorf("this workbench plays a session back and cannot train: %w", ErrReadOnly)
	}
	return d.live.Start(spec)
}

// Stop stops a live run; played-back runs refuse.
func (d *Deck) Stop(id string) error {
	if d.owner(id) != nil || d.live.Stop == nil {
		return fmt.Errorf("%s: %w", id, ErrReadOnly)
	}
	return d.live.Stop(id)
}

// Runs lists the live runs, then every player's runs as far as they have played.
func (d *Deck) Runs() []engine.RunInfo {
	var out []engine.RunInfo
	if d.live.Runs != nil {
		out = append(out, d.live.Runs()...)
	}
	for _, p := range d.Players() {
		out = append(out, p.Runs()...)
	}
	return out
}

// History returns a run's events so far, played back or live.
func (d *Deck) History(id string) ([]train.Event, error) {
	if p := d.owner(id); p != nil {
		return p.History(id)
	}
	if d.live.History == nil {
		return nil, fmt.Errorf("%w: %s", engine.ErrUnknownRun, id)
	}
	return d.live.History(id)
}

// deckWatcher is one Watch: an unbounded queue (in which a run's BatchDone replaces the one
// before it), drained into ch by its own goroutine, so that a player or the live engine never
// waits for a slow watcher and never loses anything but progress reports.
type deckWatcher struct {
	ch     chan train.Event
	mu     sync.Mutex
	queue  []train.Event
	signal chan struct{}
	done   chan struct{}
}

func (w *deckWatcher) push(evs []train.Event) {
	w.mu.Lock()
	for _, ev := range evs {
		if _, ok := ev.(train.BatchDone); ok {
			if n := len(w.queue); n > 0 {
				if last, ok := w.queue[n-1].(train.BatchDone); ok && last.Run == ev.RunID() {
					w.queue[n-1] = ev
					continue
				}
			}
		}
		w.queue = append(w.queue, ev)
	}
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

func (w *deckWatcher) pump() {
	defer close(w.ch)
	for {
		w.mu.Lock()
		q := w.queue
		w.queue = nil
		w.mu.Unlock()
		for _, ev := range q {
			select {
			case w.ch <- ev:
			case <-w.done:
				return
			}
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-w.signal:
		case <-w.done:
			return
		}
	}
}

func (d *Deck) broadcast(evs []train.Event) {
	if len(evs) == 0 {
		return
	}
	d.mu.Lock()
	ws := make([]*deckWatcher, 0, len(d.watchers))
	for w := range d.watchers {
		ws = append(ws, w)
	}
	d.mu.Unlock()
	for _, w := range ws {
		w.push(evs)
	}
}

// Watch streams every run's events from now on, live and played back, until end is called or
// ctx is done.
func (d *Deck) Watch(ctx context.Context) (<-chan train.Event, func()) {
	w := &deckWatcher{ch: make(chan train.Event, 64), signal: make(chan struct{}, 1), done: make(chan struct{})}
	d.mu.Lock()
	d.watchers[w] = struct{}{}
	d.mu.Unlock()
	liveEnd := func() {}
	if d.live.Watch != nil {
		ch, end := d.live.Watch(ctx)
		liveEnd = end
		go func() {
			for ev := range ch {
				w.push([]train.Event{ev})
			}
		}()
	}
	go w.pump()
	var once sync.Once
	end := func() {
		once.Do(func() {
			d.mu.Lock()
			delete(d.watchers, w)
			d.mu.Unlock()
			liveEnd()
			close(w.done)
		})
	}
	stop := context.AfterFunc(ctx, end)
	return w.ch, func() { stop(); end() }
}
