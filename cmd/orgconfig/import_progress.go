package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress shows an import's progress on stderr: a bar redrawn in place on a terminal, a line
// per interval otherwise (logs, CI), nothing with mode "none". The importer only updates the
// counters; a goroutine of its own draws, so drawing never slows the import.
type progress struct {
	items atomic.Int64 // items read so far (imported + skipped)
	bytes atomic.Int64 // bytes of the input files read so far
	file  atomic.Int64 // 1-based index of the file being read

	w        io.Writer
	mode     string
	total    int64
	files    int
	start    time.Time
	done     chan struct{}
	stopped  sync.WaitGroup
	stopOnce sync.Once
}

func newProgress(w io.Writer, mode string, interval time.Duration, total int64, files int) *progress {
	p := &progress{w: w, mode: mode, total: total, files: files, start: time.Now(), done: make(chan struct{})}
	if mode == "none" {
		return p
	}
	if mode == "bar" {
		interval = 200 * time.Millisecond
	}
	p.stopped.Add(1)
	go func() {
		defer p.stopped.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.draw(false)
			}
		}
	}()
	return p
}

// stop draws the final state and ends the display.
func (p *progress) stop() {
	p.stopOnce.Do(func() {
		close(p.done)
		p.stopped.Wait()
		if p.mode != "none" {
			p.draw(true)
		}
	})
}

func (p *progress) draw(final bool) {
	items, read := p.items.Load(), p.bytes.Load()
	elapsed := time.Since(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(items) / elapsed.Seconds()
	}
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(read)/float64(p.total), 1)
	}
	status := fmt.Sprintf("%d items, %.0f items/s, %s of %s read, file %d/%d, %s",
		items, rate, formatBytes(read), formatBytes(p.total), max(p.file.Load(), 1), p.files, elapsed.Round(time.Second))
	if p.mode == "lines" {
		fmt.Fprintf(p.w, "import: %3.0f%% %s\n", frac*100, status)
		return
	}
	const width = 30
	n := int(frac * width)
	bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
	end := ""
	if final {
		end = "\n"
	}
	// \r returns to the line's start, \x1b[K clears what a longer previous line left.
	fmt.Fprintf(p.w, "\r[%s] %3.0f%% %s\x1b[K%s", bar, frac*100, status, end)
}
