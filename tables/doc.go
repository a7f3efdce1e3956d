// Package tables is the catalogue of ehrQL's built-in table schemas: every
// table of the modules ehrql.tables.core, tpp, emis, emisv2, smoketest,
// raw.core, raw.tpp and raw.emis, with its
// columns in declaration order, their types, constraints and dummy-data
// constraints, the table's required permission and its activation filter
// field.
//
// The catalogue is read-only. Each table is a single *model.Table that is
// returned as the same pointer on every lookup, because query-model nodes
// identify a catalogue table by pointer as well as by (module, name); callers
// must never modify a table, its columns or its constraints.
//
// # Identity of re-exported tables
//
// A module may re-export another module's table, as ehrql.tables.tpp
// re-exports ehrql.tables.core.patients: looking up
// ("ehrql.tables.tpp", "patients") returns the core table, whose Module is
// "ehrql.tables.core", which is also how ehrQL serializes it. The TPP
// versions of clinical_events, medications, ons_deaths and
// practice_registrations are distinct tables (Module "ehrql.tables.tpp")
// with extra columns. Likewise emis and emisv2 re-export core tables and
// raw.emis re-exports raw.core.ons_deaths.
//
// # Stored names
//
// A table's Name is its name in the query model, which also names its data
// (a dummy table file, a database table). Most raw tables are stored under
// a name of their own, as ehrQL's _meta.table_name says: raw.tpp exports
// medications_raw as medications. Table.Export holds the export name; JSON
// and lookups use it, and dummy tables use Name (medications_raw.csv).
//
// # Representation choices
//
// Descriptions of core and tpp tables are the table summaries of the ehrQL
// schema reference, those of the other modules a one-line summary; column
// descriptions are empty.
//
// A Categorical constraint whose only category is None (ehrQL's
// Categorical([None]), "always NULL") is represented by a Categorical with an
// empty, non-nil Values slice: no non-NULL value is allowed, and NULL always
// passes a Categorical check. It only occurs as a dummy-data constraint
// (practice_registrations.end_date).
//
// GeneralRange constraints are written with both IncludesMinimum and
// IncludesMaximum set, ehrQL's defaults; an open bound is a nil Min or Max.
//
// Dummy-data constraints the schema notes describe only in words are
// written as ehrQL would: "dates on or after D" is GeneralRange(minimum=D)
// (apcs, ec, opa, ons_deaths), "always D" is Categorical([D]) with a date
// literal (decision_support_values.calculation_date), and an ordering of
// dates is a DateAfter chain listing every earlier column
// (ec_cost: ec_injury_date, arrival_date, ec_decision_to_admit_date).
package tables
