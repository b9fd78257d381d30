package query

import (
	"fmt"
	"sync"
	"testing"
)

func TestCache(t *testing.T) {
	var c Cache
	const expr = "SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance'"
	q1, err := c.Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	q2, err := c.Parse(expr)
	if err != nil || q2 != q1 {
		t.Fatalf("second Parse: %p, %v; want the remembered %p", q2, err, q1)
	}
	if _, err := c.Parse("SELECT"); err == nil {
		t.Fatal("a bad expression parsed")
	}
	if _, ok := c.m.Get("SELECT"); ok {
		t.Error("an error was remembered")
	}
	for i := range cacheMax + 10 {
		if _, err := c.Parse(fmt.Sprintf("SELECT resourceId WHERE resourceId = 'r-%d'", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.m.Len(); n > cacheMax {
		t.Errorf("cache holds %d queries, bound %d", n, cacheMax)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if _, err := c.Parse(fmt.Sprintf("SELECT resourceId WHERE resourceId = 'g%d-%d'", g, i%50)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
