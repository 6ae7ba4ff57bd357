package audit_test

import "dsn"

func dsnQuery(patient string) dsn.AuditQuery { return dsn.AuditQuery{Patient: patient} }
