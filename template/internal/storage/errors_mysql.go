package storage

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/go-sql-driver/mysql"
)

// unavailable reports whether err means that the database cannot be reached
// (a refused or broken connection, or a server shutting down): the same call
// may succeed once it is back.
func unavailable(err error) bool {
	var (
		netErr   *net.OpError
		mysqlErr *mysql.MySQLError
	)
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, mysql.ErrInvalidConn),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &mysqlErr):
		// ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED.
		return mysqlErr.Number == 1053 || mysqlErr.Number == 1927
	}
	return false
}
