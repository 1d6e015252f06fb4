package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hark-audio/hark/internal/atomicfile"
	"github.com/hark-audio/hark/models"
)

// Files a run writes into Options.Dir.
const (
	// StateFile is the checkpoint's state (JSON): the resolved spec, the epoch, the learning
	// rate, the early-stopping and schedule records, the history of epochs, and the names of
	// the two model files it goes with. It is written last, by rename, so it always names
	// complete files.
	StateFile = "checkpoint.json"
	// ModelFile is the final (best) model, with its classes, features and normalisation.
	ModelFile = "model.hark"
)

func statePath(dir string) string { return filepath.Join(dir, StateFile) }
func modelPath(dir string) string { return filepath.Join(dir, ModelFile) }

// checkpoint is the content of StateFile.
type checkpoint struct {
	Version  int           `json:"version"`
	Spec     RunSpec       `json:"spec"`
	Progress progressState `json:"progress"`
	// Model is the file holding the weights and optimizer state after the last epoch, Best
	// the one holding the best epoch's model ("" before the first epoch).
	Model string `json:"model"`
	Best  string `json:"best,omitempty"`

	dir string // the folder it was read from
}

// checkpoint writes the current model, the best model (when it changed) and then the state,
// each atomically, and removes the model files of earlier checkpoints.
func (t *trainer) checkpoint() error {
	dir := t.r.opt.Dir
	cp := checkpoint{Version: SpecVersion, Spec: t.r.spec, Progress: t.ps,
		Model: fmt.Sprintf("epoch-%04d.hark", t.ps.Epoch)}
	var buf bytes.Buffer
	if err := t.m.Save(&buf, t.meta); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, cp.Model), buf.Bytes()); err != nil {
		return err
	}
	if t.best != nil {
		cp.Best = fmt.Sprintf("best-%04d.hark", t.ps.Best)
		if cp.Best != t.bestFile {
			if err := atomicfile.WriteFile(filepath.Join(dir, cp.Best), t.best); err != nil {
				return err
			}
			t.bestFile = cp.Best
		}
	}
	js, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := atomicfile.WriteFile(statePath(dir), js); err != nil {
		return err
	}
	// Older model files are no longer named by the state.
	old, _ := filepath.Glob(filepath.Join(dir, "*-[0-9][0-9][0-9][0-9].hark"))
	for _, p := range old {
		if b := filepath.Base(p); b != cp.Model && b != cp.Best {
			os.Remove(p)
		}
	}
	return nil
}

// readState reads a run folder's checkpoint state.
func readState(dir string) (*checkpoint, error) {
	path := statePath(dir)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	var cp checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, fmt.Errorf("resume: %s: %w", path, err)
	}
	if cp.Version != SpecVersion {
		return nil, fmt.Errorf("resume: %s: %w", path, &VersionError{Got: cp.Version})
	}
	if strings.ContainsAny(cp.Model+cp.Best, `/\`) || cp.Model == "" {
		return nil, fmt.Errorf("resume: %s: bad model file names %q, %q", path, cp.Model, cp.Best)
	}
	spec, err := Resolve(cp.Spec)
	if err != nil {
		return nil, fmt.Errorf("resume: %s: %w", path, err)
	}
	cp.Spec, cp.dir = spec, dir
	return &cp, nil
}

// load restores the checkpoint's model (weights and optimizer state) and the best model's
// saved bytes from the folder the checkpoint was read from.
func (cp *checkpoint) load(opt models.Options) (*models.Model, []byte, error) {
	dir := cp.dir
	m, _, err := models.LoadFile(filepath.Join(dir, cp.Model), opt)
	if err != nil {
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	var best []byte
	if cp.Best != "" {
		if best, err = os.ReadFile(filepath.Join(dir, cp.Best)); err != nil {
			return nil, nil, fmt.Errorf("resume: %w", err)
		}
	}
	return m, best, nil
}

// writeModel saves a model atomically.
func writeModel(path string, m *models.Model, meta models.Meta) error {
	var buf bytes.Buffer
	if err := m.Save(&buf, meta); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

func mkdir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	return nil
}
