package memo

import (
	"fmt"
	"sync"
	"testing"
)

func TestMap(t *testing.T) {
	var c Map[int]
	if _, ok := c.Get("a"); ok {
		t.Fatal("the zero Map holds a value")
	}
	c.Put("a", 1)
	if v, ok := c.GetBytes([]byte("a")); !ok || v != 1 {
		t.Fatalf("GetBytes(a) = %d, %v", v, ok)
	}
	small := Map[int]{Max: 3}
	for i := range 10 {
		small.Put(fmt.Sprint(i), i)
		if n := small.Len(); n > 3 {
			t.Fatalf("%d entries, bound 3", n)
		}
	}
	if v, ok := small.Get("9"); !ok || v != 9 {
		t.Errorf("the last Put is gone: %d, %v", v, ok)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				k := fmt.Sprint(g, "-", i%50)
				c.Put(k, i)
				c.Get(k)
			}
		})
	}
	wg.Wait()
}

func TestMapDelete(t *testing.T) {
	var c Map[int]
	c.Delete("a") // on the zero Map
	c.Put("a", 1)
	c.Put("b", 2)
	c.Delete("a")
	if _, ok := c.Get("a"); ok {
		t.Error("a deleted entry is still there")
	}
	if v, ok := c.Get("b"); !ok || v != 2 {
		t.Errorf("Get(b) = %d, %v after deleting a", v, ok)
	}
	if n := c.Len(); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}
