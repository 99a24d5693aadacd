package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
)

// server is one HTTP listener of the service.
type server struct {
	name string
	http *http.Server
	ln   net.Listener
}

// listen opens a TCP listener. Listening before serving makes a taken port a
// start-up error, and tells the real address when the port is 0.
func listen(ctx context.Context, name, addr string) (net.Listener, error) {
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s server: listen on %s: %w", name, addr, err)
	}
	return ln, nil
}

// serve runs the servers until ctx is done or one of them fails, then shuts
// them all down: beforeShutdown first (readiness turns 503), then, after
// delay (for load balancers to notice), each server stops accepting and
// waits for its in-flight requests, all within timeout. A server that cannot
// finish in time is closed, cutting its last connections. A fresh context
// bounds the shutdown, since ctx is already done.
func serve(ctx context.Context, logger *slog.Logger, delay, timeout time.Duration, beforeShutdown func(), servers ...server) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, s := range servers {
		g.Go(func() error {
			logger.InfoContext(ctx, "serving HTTP", "server", s.name, "address", s.ln.Addr().String())
			if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("%s server: %w", s.name, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		logger.InfoContext(ctx, "shutting down", "delay", delay, "timeout", timeout)
		beforeShutdown()
		time.Sleep(delay)
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		var errs []error
		for _, s := range servers {
			if err := s.http.Shutdown(shutdownCtx); err != nil {
				_ = s.http.Close() // out of time: cut what is left
				errs = append(errs, fmt.Errorf("%s server shutdown: %w", s.name, err))
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		logger.InfoContext(ctx, "HTTP server stopped; in-flight requests finished")
		return nil
	})
	return g.Wait()
}
