package spec

import (
	"github.com/ehrql-go/ehrql/internal/spectest"
	"github.com/ehrql-go/ehrql/query"
)

// The spec tables in the Go language: P is ehrQL's p (patient-level) and E
// its e (event-level), both user-defined tables written inline in the JSON
// query model. Their columns are read through the accessors below: pi1() is
// p.i1, ei1() is e.i1, and so on.
var (
	P = query.PatientTable(spectest.PatientTable)
	E = query.EventTable(spectest.EventTable)
)

// Short names for the series types the cases use.
type (
	boolP  = query.BoolPatientSeries
	intP   = query.IntPatientSeries
	intE   = query.IntEventSeries
	floatP = query.FloatPatientSeries
	floatE = query.FloatEventSeries
	strP   = query.StrPatientSeries
	strE   = query.StrEventSeries
	dateP  = query.DatePatientSeries
	dateE  = query.DateEventSeries
)

func pi1() query.IntPatientSeries       { return query.Column[query.IntPatientSeries](P, "i1") }
func pi2() query.IntPatientSeries       { return query.Column[query.IntPatientSeries](P, "i2") }
func pb1() query.BoolPatientSeries      { return query.Column[query.BoolPatientSeries](P, "b1") }
func pb2() query.BoolPatientSeries      { return query.Column[query.BoolPatientSeries](P, "b2") }
func pc1() query.CodePatientSeries      { return query.Column[query.CodePatientSeries](P, "c1") }
func pm1() query.MultiCodePatientSeries { return query.Column[query.MultiCodePatientSeries](P, "m1") }
func pm2() query.MultiCodePatientSeries { return query.Column[query.MultiCodePatientSeries](P, "m2") }
func pd1() query.DatePatientSeries      { return query.Column[query.DatePatientSeries](P, "d1") }
func pd2() query.DatePatientSeries      { return query.Column[query.DatePatientSeries](P, "d2") }
func ps1() query.StrPatientSeries       { return query.Column[query.StrPatientSeries](P, "s1") }
func ps2() query.StrPatientSeries       { return query.Column[query.StrPatientSeries](P, "s2") }
func pf1() query.FloatPatientSeries     { return query.Column[query.FloatPatientSeries](P, "f1") }
func pf2() query.FloatPatientSeries     { return query.Column[query.FloatPatientSeries](P, "f2") }

func ei1() query.IntEventSeries       { return query.Column[query.IntEventSeries](E, "i1") }
func ei2() query.IntEventSeries       { return query.Column[query.IntEventSeries](E, "i2") }
func eb1() query.BoolEventSeries      { return query.Column[query.BoolEventSeries](E, "b1") }
func eb2() query.BoolEventSeries      { return query.Column[query.BoolEventSeries](E, "b2") }
func ec1() query.CodeEventSeries      { return query.Column[query.CodeEventSeries](E, "c1") }
func em1() query.MultiCodeEventSeries { return query.Column[query.MultiCodeEventSeries](E, "m1") }
func em2() query.MultiCodeEventSeries { return query.Column[query.MultiCodeEventSeries](E, "m2") }
func ed1() query.DateEventSeries      { return query.Column[query.DateEventSeries](E, "d1") }
func ed2() query.DateEventSeries      { return query.Column[query.DateEventSeries](E, "d2") }
func es1() query.StrEventSeries       { return query.Column[query.StrEventSeries](E, "s1") }
func es2() query.StrEventSeries       { return query.Column[query.StrEventSeries](E, "s2") }
func ef1() query.FloatEventSeries     { return query.Column[query.FloatEventSeries](E, "f1") }
func ef2() query.FloatEventSeries     { return query.Column[query.FloatEventSeries](E, "f2") }
func ei3() query.IntEventSeries       { return query.Column[query.IntEventSeries](E, "i3") }

// asEvent returns an event-level series built through one of the kind
// interfaces (Case[query.IntSeries], MaximumOf[query.IntSeries], ...), which
// mix patient-level and event-level values, as its concrete type.
func asEvent[S query.EventSeries](s query.Series) S { return s.(S) }
