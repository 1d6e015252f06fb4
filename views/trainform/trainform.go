package trainform

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// Form is the Train pane.
type Form struct {
	c    *common.Common
	keys KeyMap
	w, h int

	spec   train.RunSpec
	recipe int // index into Recipes(), -1 for custom settings
	sets   []dataSet
	set    int

	rows   []field
	cursor int
	offset int

	editing bool
	buffer  string

	status    string
	statusErr bool
	// runs lists the runs this pane queued, with their state, newest last.
	book common.RunBook
	mine []string
}

// dataSet is an open dataset the form offers.
type dataSet struct {
	name string
	spec dataset.Spec
	cat  *dataset.Catalog
}

var (
	_ common.Component     = (*Form)(nil)
	_ common.InputCapturer = (*Form)(nil)
)

// New returns the Train pane with the default settings.
func New(c *common.Common) *Form {
	return &Form{c: c, keys: DefaultKeyMap(), spec: DefaultSpec(), recipe: -1, rows: fields()}
}

// ID implements common.Component.
func (f *Form) ID() string { return common.PaneTrain }

// Title implements common.Component.
func (f *Form) Title() string { return "Train" }

// SetSize implements common.Component.
func (f *Form) SetSize(w, h int) {
	f.w, f.h = w, h
	f.scroll()
}

// CapturesInput implements common.InputCapturer: a field being typed takes every key.
func (f *Form) CapturesInput() bool { return f.editing }

// Init implements common.Component.
func (f *Form) Init() tea.Cmd { return nil }

// Spec returns the spec the form would start now (without the dataset's root).
func (f *Form) Spec() train.RunSpec { return f.spec }

// applyRecipe sets every field from recipe i (-1 keeps the settings, marked custom).
func (f *Form) applyRecipe(i int) {
	f.recipe = i
	if i < 0 {
		return
	}
	r := Recipes()[i]
	name := f.spec.Name
	f.spec = RecipeSpec(r)
	f.spec.Name = name
	f.setStatus(fmt.Sprintf("recipe %s: %s", r.Name, r.About), false)
}

func (f *Form) setStatus(s string, isErr bool) { f.status, f.statusErr = s, isErr }

// Update implements common.Component.
func (f *Form) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.CatalogMsg:
		f.addSet(msg.Spec, msg.Catalog)
	case common.OpenItemMsg:
		if msg.Catalog != nil {
			f.addSet(dataset.Spec{Root: msg.Catalog.Root}, msg.Catalog)
		}
	case common.RunQueuedMsg:
		if msg.Err != nil {
			f.setStatus("could not start the run: "+msg.Err.Error(), true)
			return f, nil
		}
		f.book.Queued(msg.ID, msg.Spec)
		f.mine = append(f.mine, msg.ID)
		f.setStatus(fmt.Sprintf("%s queued: watch it in Monitor (press 4); enter queues another", msg.ID), false)
	case common.RunEventsMsg:
		for _, ev := range msg.Events {
			if f.book.Get(ev.RunID()) != nil {
				f.book.Apply(ev)
			}
		}
	case tea.KeyPressMsg:
		if f.editing {
			return f, f.editKey(msg)
		}
		return f, f.key(msg)
	}
	return f, nil
}

// addSet offers a dataset, once per root; the first one is chosen.
func (f *Form) addSet(spec dataset.Spec, cat *dataset.Catalog) {
	if cat == nil {
		return
	}
	if spec.Root == "" {
		spec.Root = cat.Root
	}
	for i, s := range f.sets {
		if s.spec.Root == spec.Root {
			f.sets[i].cat = cat
			return
		}
	}
	name := filepath.Base(filepath.Clean(cat.Root))
	f.sets = append(f.sets, dataSet{name: name, spec: spec, cat: cat})
}

func (f *Form) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &f.keys
	if key.Matches(msg, k.Recipe) {
		if n := int(msg.Code - tea.KeyF1); n >= 0 && n < len(Recipes()) {
			f.applyRecipe(n)
		}
		return nil
	}
	row := f.rows[f.cursor]
	switch {
	case key.Matches(msg, k.Up):
		f.cursor = max(0, f.cursor-1)
		f.scroll()
	case key.Matches(msg, k.Down):
		f.cursor = min(len(f.rows)-1, f.cursor+1)
		f.scroll()
	case key.Matches(msg, k.Prev), key.Matches(msg, k.Next):
		dir := 1
		if key.Matches(msg, k.Prev) {
			dir = -1
		}
		row.step(f, dir)
		if f.cursor != 0 && f.cursor != 1 {
			f.recipe = -1
		}
		f.status = ""
	case key.Matches(msg, k.Edit):
		if row.kind == kindChoice {
			f.setStatus(row.label+" is a choice: left/right change it", true)
			return nil
		}
		f.editing, f.buffer = true, row.get(f)
		if strings.HasPrefix(f.buffer, "(") || f.buffer == "whole clips" || strings.HasPrefix(f.buffer, "dataset's own") {
			f.buffer = ""
		}
	case key.Matches(msg, k.Reset):
		name := ""
		f.spec, f.recipe = DefaultSpec(), -1
		f.spec.Name = name
		f.setStatus("settings reset to the defaults", false)
	case key.Matches(msg, k.Start):
		return f.start()
	}
	return nil
}

func (f *Form) editKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &f.keys
	switch {
	case key.Matches(msg, k.Apply):
		row := f.rows[f.cursor]
		if err := row.set(f, f.buffer); err != nil {
			f.setStatus(err.Error(), true)
			return nil
		}
		f.editing, f.status = false, ""
		if f.cursor > 1 {
			f.recipe = -1
		}
	case key.Matches(msg, k.Cancel):
		f.editing, f.status = false, ""
	case key.Matches(msg, k.EraseRune):
		if r := []rune(f.buffer); len(r) > 0 {
			f.buffer = string(r[:len(r)-1])
		}
	case key.Matches(msg, k.EraseAll):
		f.buffer = ""
	default:
		f.buffer += msg.Text
	}
	return nil
}

// RunSpec returns the spec to start: the form's settings on the chosen dataset.
func (f *Form) RunSpec() (train.RunSpec, error) {
	if len(f.sets) == 0 {
		return train.RunSpec{}, fmt.Errorf("no dataset is open yet: open one in Datasets (press 1)")
	}
	s := f.spec
	ds := f.sets[f.set]
	layout, segments := s.Dataset.Spec.Layout, s.Dataset.Spec.Segments
	s.Dataset.Spec = ds.spec
	if layout != "" {
		s.Dataset.Spec.Layout = layout
	}
	s.Dataset.Spec.Segments = segments
	s.Version = train.SpecVersion
	if s.Model.Preset == "bilstm" {
		s.Features.Layout = "sequence"
	}
	if s.Name == "" {
		s.Name = s.Model.Preset + " on " + ds.name
		if f.recipe >= 0 {
			s.Name = Recipes()[f.recipe].Name + " on " + ds.name
		}
	}
	return s, nil
}

// start queues the run.
func (f *Form) start() tea.Cmd {
	switch {
	case f.c.ReadOnly:
		f.setStatus(common.ReadOnlyMessage, true)
		return nil
	case f.c.Engine.Start == nil:
		f.setStatus("this workbench cannot train: it has no training engine", true)
		return nil
	}
	spec, err := f.RunSpec()
	if err != nil {
		f.setStatus(err.Error(), true)
		return nil
	}
	startFn := f.c.Engine.Start
	f.setStatus("starting "+spec.Name+" ...", false)
	return func() tea.Msg {
		id, err := startFn(spec)
		return common.RunQueuedMsg{ID: id, Spec: spec, Err: err}
	}
}

// listRows is how many fields show at once.
func (f *Form) listRows() int { return max(1, f.h-4) }

func (f *Form) scroll() {
	rows := f.listRows()
	if f.cursor < f.offset {
		f.offset = f.cursor
	}
	if f.cursor >= f.offset+rows {
		f.offset = f.cursor - rows + 1
	}
	f.offset = max(0, min(f.offset, len(f.rows)-rows))
}

// ShortHelp implements help.KeyMap.
func (f *Form) ShortHelp() []key.Binding {
	k := &f.keys
	if f.editing {
		return []key.Binding{k.Apply, k.Cancel, k.EraseAll}
	}
	return []key.Binding{k.Start, k.Prev, k.Edit, k.Recipe}
}

// FullHelp implements help.KeyMap.
func (f *Form) FullHelp() [][]key.Binding {
	k := &f.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Prev, k.Next, k.Edit},
		{k.Start, k.Recipe, k.Reset},
		{k.Apply, k.Cancel, k.EraseRune, k.EraseAll},
	}
}
