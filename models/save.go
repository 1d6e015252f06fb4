package models

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/hark-audio/hark/internal/atomicfile"
)

// magic starts every saved model; the digit is the format version.
const magic = "HARKMODEL1\n"

// Meta is what a saved model carries besides its architecture and weights.
type Meta struct {
	// Classes names the softmax outputs, in output order.
	Classes []string `json:"classes,omitempty"`
	// Features is the feature configuration the model was trained on, kept verbatim.
	Features json.RawMessage `json:"features,omitempty"`
	// Norm holds the input normalisation statistics, if the inputs were standardised.
	Norm *Norm `json:"norm,omitempty"`
	// Targets names a regression model's outputs, in output order.
	Targets []string `json:"targets,omitempty"`
	// TargetNorm standardised the regression targets in training (one mean and deviation per
	// target): a prediction in the targets' units is output * Std + Mean.
	TargetNorm *Norm `json:"target_norm,omitempty"`
}

// Norm is per-feature standardisation: x' = (x - Mean) / Std.
type Norm struct {
	Mean []float32 `json:"mean"`
	Std  []float32 `json:"std"`
}

type header struct {
	Spec  Spec   `json:"spec"`
	Meta  Meta   `json:"meta"`
	Steps uint64 `json:"steps"`
	// Seed drives dropout, so a resumed run draws the masks an uninterrupted one would.
	Seed uint64 `json:"seed"`
	// Optimizer is the update rule and its step count; its moment buffers are the tensors
	// after the parameters and states, two per parameter (m, then v where Adam has one).
	Optimizer *savedOptimizer `json:"optimizer,omitempty"`
	Tensors   []tensorInfo    `json:"tensors"`
}

type savedOptimizer struct {
	Config Optimizer `json:"config"`
	T      int       `json:"t"`
}

type tensorInfo struct {
	Name string `json:"name"`
	Len  int    `json:"len"`
}

// tensors lists what is saved: parameters, then non-trainable state, in build order.
func (m *Model) tensors() ([]string, [][]float32) {
	var names []string
	var data [][]float32
	for _, p := range m.params {
		names, data = append(names, p.name), append(data, p.data)
	}
	for _, s := range m.states {
		names, data = append(names, s.name), append(data, s.data)
	}
	return names, data
}

// optTensors lists the optimizer's moment buffers (none before the first update).
func (m *Model) optTensors() ([]string, [][]float32) {
	var names []string
	var data [][]float32
	if m.opt.m == nil {
		return nil, nil
	}
	for i, p := range m.params {
		names, data = append(names, "opt.m."+p.name), append(data, m.opt.m[i])
		if m.opt.v[i] != nil {
			names, data = append(names, "opt.v."+p.name), append(data, m.opt.v[i])
		}
	}
	return names, data
}

// Save writes the model in one stream: a magic line, a little-endian uint32 header length, a
// JSON header (spec, meta, step count, seed, optimizer, tensor names and lengths) and the
// tensors as little-endian float32: parameters, running statistics and the optimizer's
// moments, so that training resumes exactly where it stopped.
func (m *Model) Save(w io.Writer, meta Meta) error {
	names, data := m.tensors()
	h := header{Spec: m.spec, Meta: meta, Steps: m.step, Seed: m.seed}
	if m.opt.m != nil {
		h.Optimizer = &savedOptimizer{Config: m.opt.cfg, T: m.opt.t}
		on, od := m.optTensors()
		names, data = append(names, on...), append(data, od...)
	}
	for i, n := range names {
		h.Tensors = append(h.Tensors, tensorInfo{Name: n, Len: len(data[i])})
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(magic)
	binary.Write(bw, binary.LittleEndian, uint32(len(hb)))
	bw.Write(hb)
	var buf [4]byte
	for _, d := range data {
		for _, v := range d {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			bw.Write(buf[:])
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// Load reads a model written by Save and builds it with opt. The weights, running
// statistics, step count and seed are those saved (opt.Seed is ignored). When opt.Optimizer
// is the zero value, the saved optimizer and its state are restored, so training continues
// bit for bit as if it had never stopped; another optimizer starts afresh.
func Load(r io.Reader, opt Options) (*Model, Meta, error) {
	br := bufio.NewReader(r)
	mg := make([]byte, len(magic))
	if _, err := io.ReadFull(br, mg); err != nil || string(mg) != magic {
		return nil, Meta{}, errors.New("load model: not a Hark model file (bad magic)")
	}
	var n uint32
	if err := binary.Read(br, binary.LittleEndian, &n); err != nil {
		return nil, Meta{}, fmt.Errorf("load model: header length: %w", err)
	}
	if n > 64<<20 {
		return nil, Meta{}, fmt.Errorf("load model: header of %d bytes is implausibly large", n)
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, Meta{}, fmt.Errorf("load model: header: %w", err)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, Meta{}, fmt.Errorf("load model: header: %w", err)
	}
	resume := opt.Optimizer == (Optimizer{}) && h.Optimizer != nil
	if resume {
		opt.Optimizer = h.Optimizer.Config
	}
	m, err := Build(h.Spec, opt)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("load model: %w", err)
	}
	m.seed = h.Seed
	names, data := m.tensors()
	if resume {
		m.opt.alloc(m.params)
		m.opt.t = h.Optimizer.T
		on, od := m.optTensors()
		names, data = append(names, on...), append(data, od...)
	}
	if len(h.Tensors) < len(names) {
		return nil, Meta{}, fmt.Errorf("load model: %d tensors saved, the model needs %d", len(h.Tensors), len(names))
	}
	var buf [4]byte
	for i, t := range h.Tensors[:len(names)] {
		if t.Name != names[i] || t.Len != len(data[i]) {
			return nil, Meta{}, fmt.Errorf("load model: tensor %d is %s[%d], the spec expects %s[%d]", i, t.Name, t.Len, names[i], len(data[i]))
		}
		for j := range data[i] {
			if _, err := io.ReadFull(br, buf[:]); err != nil {
				return nil, Meta{}, fmt.Errorf("load model: tensor %s: %w", t.Name, err)
			}
			data[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(buf[:]))
		}
	}
	// Optimizer tensors that another optimizer does not use are skipped, but must be there.
	for _, t := range h.Tensors[len(names):] {
		if _, err := io.CopyN(io.Discard, br, 4*int64(t.Len)); err != nil {
			return nil, Meta{}, fmt.Errorf("load model: tensor %s: %w", t.Name, err)
		}
	}
	m.step = h.Steps
	return m, h.Meta, nil
}

// SaveFile writes the model to path (see Save).
func (m *Model) SaveFile(path string, meta Meta) error {
	return atomicfile.Write(path, func(w io.Writer) error { return m.Save(w, meta) })
}

// LoadFile reads a model saved with SaveFile.
func LoadFile(path string, opt Options) (*Model, Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("load model: %w", err)
	}
	defer f.Close()
	m, meta, err := Load(f, opt)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, meta, nil
}
