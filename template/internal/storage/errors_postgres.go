package storage

import (
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// unavailable reports whether err means that the database cannot be reached
// (a refused or broken connection, or a server shutting down or starting):
// the same call may succeed once it is back.
func unavailable(err error) bool {
	var (
		connectErr *pgconn.ConnectError
		netErr     *net.OpError
		pgErr      *pgconn.PgError
	)
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pgErr):
		// Class 08 is "connection exception"; 57P01 to 57P03 are
		// admin_shutdown, crash_shutdown and cannot_connect_now.
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return false
}
