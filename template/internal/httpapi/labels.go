package httpapi

import "net/http"

// otherMethod stands for every method outside the standard ones.
const otherMethod = "OTHER"

// methodLabel keeps a method fit for metric labels and span names: any
// method a client makes up counts as OTHER.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return otherMethod
}
