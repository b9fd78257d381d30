package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// targetRatio is the project's target: orgconfig at least this fraction of the bare handler's
// requests/s.
const targetRatio = 0.5

// targetVsMoto is the project's target against moto_server: orgconfig at least this many times
// moto's requests/s, in the cells where both answer 2xx.
const targetVsMoto = 30.0

type machineInfo struct {
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GOGC       int    `json:"gogc"`
	CPUModel   string `json:"cpu_model"`
	Go         string `json:"go"`
}

type targetInfo struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Note     string `json:"note"`
}

type report struct {
	Date    time.Time    `json:"date"`
	Command string       `json:"command"`
	Machine machineInfo  `json:"machine"`
	Options reportOpts   `json:"options"`
	Targets []targetInfo `json:"targets"`
	Cells   []Cell       `json:"cells"`
	// StoreBackends and StoreCells are the store-write scenario's backends and measurements.
	StoreBackends []targetInfo `json:"store_backends,omitempty"`
	StoreCells    []StoreCell  `json:"store_cells,omitempty"`
	// MinVsBare is orgconfig's lowest requests/s ratio to bare over the cells; TargetMet says
	// whether it is at least TargetRatio.
	TargetRatio float64 `json:"target_ratio"`
	MinVsBare   float64 `json:"min_vs_bare,omitempty"`
	TargetMet   *bool   `json:"target_met,omitempty"`
	// MinVsMoto is orgconfig's lowest requests/s ratio to moto_server over the cells where
	// both answered 2xx; TargetVsMotoMet says whether it is at least TargetVsMoto.
	TargetVsMoto    float64  `json:"target_vs_moto"`
	MinVsMoto       float64  `json:"min_vs_moto,omitempty"`
	TargetVsMotoMet *bool    `json:"target_vs_moto_met,omitempty"`
	Notes           []string `json:"notes,omitempty"`
	Profiles        []string `json:"cpu_profiles,omitempty"`
}

type reportOpts struct {
	Scenarios   []string `json:"scenarios"`
	Concurrency []int    `json:"concurrency"`
	Duration    string   `json:"duration"`
	Warmup      string   `json:"warmup"`
	Count       int      `json:"count,omitempty"`
	Rounds      int      `json:"rounds"`
	Signed      int      `json:"signed"`
	Log         bool     `json:"log"`
	Client      string   `json:"client,omitempty"`
	Backends    []string `json:"backends,omitempty"`
	StoreBatch  int      `json:"store_batch,omitempty"`
}

func newReport(o *Options) *report {
	rep := &report{
		Date:    time.Now().UTC(),
		Command: o.Command,
		Machine: machineInfo{
			OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
			GOGC: gcPercent(), CPUModel: cpuModel(), Go: runtime.Version(),
		},
		Options: reportOpts{
			Scenarios: o.Scenarios, Concurrency: o.Concurrency, Duration: o.Duration.String(), Warmup: o.Warmup.String(),
			Count: o.Count, Rounds: o.Rounds, Signed: o.Signed, Log: o.Log, Client: o.Client,
		},
		TargetRatio: targetRatio, TargetVsMoto: targetVsMoto,
	}
	for _, name := range o.Scenarios {
		if s := scenarios[name]; s != nil && s.Direct != nil {
			rep.Options.Backends, rep.Options.StoreBatch = o.Backends, o.StoreBatch
		}
	}
	return rep
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// finish computes the ratios to the bare handler and to moto_server.
func (r *report) finish() {
	bare := map[string]float64{}
	moto := map[string]Cell{}
	key := func(c Cell) string { return fmt.Sprintf("%s|%s|%d", c.Scenario, c.Call, c.Concurrency) }
	for _, c := range r.Cells {
		if c.Target == targetBare && c.Skipped == "" {
			bare[key(c)] = c.RPS
		}
		if c.Target == targetMoto && c.Skipped == "" && c.RPS > 0 {
			moto[key(c)] = c
		}
	}
	firstMoto := true
	for i, c := range r.Cells {
		m, ok := moto[key(c)]
		if c.Target != targetOrgconfig || c.Skipped != "" || !ok {
			continue
		}
		r.Cells[i].VsMoto = c.RPS / m.RPS
		if c.Answer.Status/100 == 2 && m.Answer.Status/100 == 2 {
			if firstMoto || r.Cells[i].VsMoto < r.MinVsMoto {
				r.MinVsMoto = r.Cells[i].VsMoto
			}
			firstMoto = false
		}
	}
	if !firstMoto {
		met := r.MinVsMoto >= targetVsMoto
		r.TargetVsMotoMet = &met
	}
	first := true
	for i, c := range r.Cells {
		b := bare[key(c)]
		if c.Target == targetBare || c.Skipped != "" || b == 0 {
			continue
		}
		r.Cells[i].VsBare = c.RPS / b
		if c.Target == targetOrgconfig {
			if first || r.Cells[i].VsBare < r.MinVsBare {
				r.MinVsBare = r.Cells[i].VsBare
			}
			first = false
		}
	}
	if !first {
		met := r.MinVsBare >= targetRatio
		r.TargetMet = &met
	}
	for _, c := range r.Cells {
		if c.Target == targetOrgconfig && c.Answer.Code == "NotImplementedException" {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: JSON 1.1 routed+authenticated call (answer: NotImplemented, an operation orgconfig does not implement): "+
				"orgconfig runs the whole pipeline (read, detect, SigV4, route, validate) and answers 400 NotImplementedException.", c.Call))
			break
		}
	}
	r.Profiles = profilesWritten
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## bench: %s (%s)\n\n", strings.Join(r.Options.Scenarios, ", "), r.Date.Format("2006-01-02 15:04 UTC"))
	m := r.Machine
	fmt.Fprintf(&b, "- Machine: %s/%s, %d CPUs, GOMAXPROCS %d, GOGC %d, %s; %s\n", m.OS, m.Arch, m.CPUs, m.GOMAXPROCS, m.GOGC, m.CPUModel, m.Go)
	fmt.Fprintf(&b, "- Command: `%s`\n", r.Command)
	if len(r.Cells) > 0 {
		r.writeHTTPCells(&b)
	}
	if len(r.StoreCells) > 0 || len(r.StoreBackends) > 0 {
		r.writeStoreCells(&b)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- Note: %s\n", n)
	}
	for _, p := range r.Profiles {
		fmt.Fprintf(&b, "- CPU profile: %s (`go tool pprof -tagfocus side=server %s`; side=bare for the baseline)\n", p, p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeHTTPCells writes the table of the HTTP scenarios.
func (r *report) writeHTTPCells(b *strings.Builder) {
	o := r.Options
	bound := o.Duration
	if o.Count > 0 {
		bound += fmt.Sprintf(" or %d requests", o.Count)
	}
	client := "one keep-alive net/http Transport in this process"
	if o.Client == clientRaw {
		client = "raw HTTP/1.1 client in this process (one persistent TCP connection per worker, requests serialized before the timed loop)"
	}
	fmt.Fprintf(b, "- Each cell: %s warm-up, then %s; %d pre-signed requests replayed round-robin; %s\n", o.Warmup, bound, o.Signed, client)
	if o.Rounds > 1 {
		fmt.Fprintf(b, "- %d rounds per cell, targets taking turns; the table shows the round with the median req/s (all rounds under \"rounds\")\n", o.Rounds)
	}
	for _, t := range r.Targets {
		fmt.Fprintf(b, "- `%s`: %s\n", t.Name, t.Note)
	}
	rounds := ""
	if o.Rounds > 1 {
		rounds = " rounds (req/s) |"
	}
	b.WriteString("\n| Call | Concurrency | Target | req/s | p50 (µs) | p99 (µs) | Errors | Answer | vs bare | vs moto |" + rounds + "\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---|---:|---:|")
	if o.Rounds > 1 {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, c := range r.Cells {
		if c.Skipped != "" {
			fmt.Fprintf(b, "| %s | %d | %s | – | – | – | – | not measured: %s | – | – |", c.Label, c.Concurrency, c.Target, strings.ReplaceAll(c.Skipped, "|", "\\|"))
			if o.Rounds > 1 {
				b.WriteString(" – |")
			}
			b.WriteString("\n")
			continue
		}
		vs := "–"
		if c.VsBare > 0 {
			vs = fmt.Sprintf("%.0f%%", 100*c.VsBare)
		}
		vm := "–"
		if c.VsMoto > 0 {
			vm = fmt.Sprintf("%.0f×", c.VsMoto)
		}
		fmt.Fprintf(b, "| %s | %d | %s | %.0f | %.0f | %.0f | %d | %s | %s | %s |",
			c.Label, c.Concurrency, c.Target, c.RPS, c.P50us, c.P99us, c.Errors, c.Answer, vs, vm)
		if o.Rounds > 1 {
			var rs []string
			for _, x := range c.RoundsRPS {
				rs = append(rs, fmt.Sprintf("%.0f", x))
			}
			b.WriteString(" " + strings.Join(rs, ", ") + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if r.TargetMet != nil {
		verdict := "met"
		if !*r.TargetMet {
			verdict = "NOT met"
		}
		fmt.Fprintf(b, "Target (orgconfig ≥ %.0f%% of bare in every cell): **%s**, lowest ratio %.0f%%.\n\n", 100*r.TargetRatio, verdict, 100*r.MinVsBare)
	}
	if r.TargetVsMotoMet != nil {
		verdict := "met"
		if !*r.TargetVsMotoMet {
			verdict = "NOT met"
		}
		fmt.Fprintf(b, "Target (orgconfig ≥ %.0f× moto_server in every cell where both answer 2xx): **%s**, lowest ratio %.1f×.\n\n", r.TargetVsMoto, verdict, r.MinVsMoto)
	}
}

// writeStoreCells writes the table of the store-write scenario.
// A scenario measured directly (console, query, ...) has backends but no cells: only the
// backends are described.
func (r *report) writeStoreCells(b *strings.Builder) {
	if len(r.StoreCells) == 0 {
		for _, t := range r.StoreBackends {
			fmt.Fprintf(b, "- `%s`: %s\n", t.Name, t.Note)
		}
		return
	}
	o := r.Options
	bound := o.Duration
	if o.Count > 0 {
		bound += fmt.Sprintf(" or %d items", o.Count)
	}
	fmt.Fprintf(b, "- store-write: each cell opens a fresh store, writes for %s (warm-up), then for %s (timed); %d records per item "+
		"(1 current item ~1.1 KB JSON, 1 history record, 6 index records); latency is per Write call\n", o.Warmup, bound, recordsPerItem)
	for _, t := range r.StoreBackends {
		fmt.Fprintf(b, "- `%s`: %s\n", t.Name, t.Note)
	}
	b.WriteString("\n| Backend | Items/Write | Writers | items/s | records/s | Writes/s | Write p50 (µs) | Write p99 (µs) | Errors | SQLite group commit (Writes/txn) |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range r.StoreCells {
		if c.Skipped != "" {
			fmt.Fprintf(b, "| %s | %d | %d | – | – | – | – | – | – | not measured: %s |\n", c.Backend, c.ItemsPerWrite, c.Concurrency, strings.ReplaceAll(c.Skipped, "|", "\\|"))
			continue
		}
		group := "–"
		if c.GroupBatches > 0 {
			group = fmt.Sprintf("%.1f (%d in %d)", c.GroupAvg, c.GroupWrites, c.GroupBatches)
		}
		fmt.Fprintf(b, "| %s | %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %s |\n",
			c.Backend, c.ItemsPerWrite, c.Concurrency, c.ItemsPerSec, c.RecordsPerSec, c.WritesPerSec, c.P50us, c.P99us, c.Errors, group)
	}
	b.WriteString("\n")
	for _, c := range r.StoreCells {
		if c.Errors > 0 {
			fmt.Fprintf(b, "- %s, %d items/Write, %d writers: %d failed Writes, first: %s\n", c.Backend, c.ItemsPerWrite, c.Concurrency, c.Errors, c.FirstError)
		}
	}
}

// gcPercent reads the collector's target (GOGC) without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
