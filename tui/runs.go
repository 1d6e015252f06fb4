package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// Run events travel from the engine's hub to the panes through one re-arming command: it waits
// for an event, waits out the rest of the frame interval, takes every event that has arrived
// meanwhile, drops all but the latest BatchDone of each run, and returns them as one message.
// The root hands that message to every pane and starts the command again. So a run that
// reports ten thousand batches a second costs the workbench at most frameRate redraws a
// second, and the watcher's channel is drained as fast as the hub fills it.

// frameInterval is the shortest time between two deliveries of run events (20 a second).
const frameInterval = 50 * time.Millisecond

// maxBatch bounds the events one delivery takes, so that a delivery ends even when the hub
// sends faster than it drains.
const maxBatch = 4096

// watchingMsg carries the hub's event stream once the watch has started.
type watchingMsg struct {
	ch  <-chan train.Event
	end func()
}

// hubEventsMsg is one delivery: the coalesced events and when they were taken from ch.
type hubEventsMsg struct {
	events []train.Event
	at     time.Time
	ch     <-chan train.Event
}

// watchEnded reports that the hub closed the stream ch (the engine shut down, or the root
// ended the watch to start a new one).
type watchEnded struct{ ch <-chan train.Event }

// startWatch is the command that opens the stream.
func startWatch(ctx context.Context, watch func(context.Context) (<-chan train.Event, func())) tea.Cmd {
	return func() tea.Msg {
		ch, end := watch(ctx)
		return watchingMsg{ch: ch, end: end}
	}
}

// waitEvents is the command that makes one delivery from ch, no sooner than interval after
// the previous one (taken at last).
func waitEvents(ctx context.Context, ch <-chan train.Event, last time.Time, interval time.Duration) tea.Cmd {
	return func() tea.Msg {
		var first train.Event
		select {
		case ev, ok := <-ch:
			if !ok {
				return watchEnded{ch: ch}
			}
			first = ev
		case <-ctx.Done():
			return nil
		}
		if wait := interval - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil
			}
		}
		events := []train.Event{first}
		closed := false
	drain:
		for len(events) < maxBatch {
			select {
			case ev, ok := <-ch:
				if !ok {
					closed = true
					break drain
				}
				events = append(events, ev)
			default:
				break drain
			}
		}
		msg := hubEventsMsg{events: coalesce(events), at: time.Now(), ch: ch}
		if closed {
			return tea.BatchMsg{func() tea.Msg { return msg }, func() tea.Msg { return watchEnded{ch: ch} }}
		}
		return msg
	}
}

// coalesce keeps every event but BatchDone in order, and of each run's BatchDone events only the
// latest, at the place of the latest. It works in place.
func coalesce(events []train.Event) []train.Event {
	latest := map[string]int{} // run -> index of its latest BatchDone
	for i, ev := range events {
		if _, ok := ev.(train.BatchDone); ok {
			latest[ev.RunID()] = i
		}
	}
	out := events[:0]
	for i, ev := range events {
		if _, ok := ev.(train.BatchDone); ok && latest[ev.RunID()] != i {
			continue
		}
		out = append(out, ev)
	}
	return out
}

// events handles the messages of the event stream; ok is false for other messages.
func (m *Model) events(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case watchingMsg:
		m.endWatch = msg.end
		m.watch = msg.ch
		wait := waitEvents(m.c.Ctx, m.watch, time.Time{}, m.interval)
		if m.resetting {
			m.resetting = false
			return tea.Batch(m.rebuildRunPanes(), wait), true
		}
		return wait, true
	case hubEventsMsg:
		if msg.ch != m.watch {
			return nil, true // from a watch ended since
		}
		m.delivered++
		cmd := m.toAll(common.RunEventsMsg{Events: msg.events})
		return tea.Batch(cmd, waitEvents(m.c.Ctx, m.watch, msg.at, m.interval)), true
	case watchEnded:
		if msg.ch == m.watch {
			m.watch = nil
		}
		return nil, true
	}
	return nil, false
}
