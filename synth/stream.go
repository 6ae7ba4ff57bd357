package synth

import "sync"

// EachParallel generates people with several workers but calls fn in index
// order, from one goroutine, so output files stay byte-identical to Each's.
// Workers also encode the resources (Person.Encoded). At most about
// 4×workers people are in memory. It stops at fn's first error.
func (g *Generator) EachParallel(workers int, fn func(*Person) error) error {
	if workers < 2 {
		return g.Each(fn)
	}
	type slot struct {
		i   int
		out chan *Person
	}
	jobs := make(chan slot, 4*workers)
	order := make(chan slot, 4*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				p := g.Person(s.i)
				p.Encoded()
				s.out <- p
			}
		}()
	}
	go func() { // feeder: hands out indexes and remembers their order
		defer close(order)
		defer close(jobs)
		for i := 0; i < g.opt.Patients; i++ {
			s := slot{i: i, out: make(chan *Person, 1)}
			select {
			case order <- s:
			case <-stop:
				return
			}
			jobs <- s
		}
	}()
	var err error
	for s := range order {
		p := <-s.out
		if err == nil {
			err = fn(p)
			if err != nil {
				close(stop)
			}
		}
	}
	wg.Wait()
	return err
}
