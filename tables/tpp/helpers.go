package tpp

import (
	"strconv"

	"github.com/ehrql-go/ehrql/query"
)

// The helper methods of ehrql.tables.tpp. Those it inherits from
// ehrql.tables.core are core's: patients is core's table, and the generated
// files of practice_registrations and ons_deaths, which extend core's, copy
// core's helpers. Each builds exactly the expression ehrQL's method of the
// same name builds from the table's own columns, so the query model is the
// same as ehrQL's; none adds a node of its own. They use the columns of the
// frame they are called on, so they also work on a filtered view of a
// table, as in ehrQL.

// SpanningWithSystmone keeps the registrations that span the whole period
// from start to end and whose practice has used SystmOne since start:
// spanning(start, end).where(practice_systmone_go_live_date <= start). A
// NULL go-live date keeps none. Use it before relying on appointments,
// whose history is incomplete before a practice moved to SystmOne. ehrQL:
// practice_registrations.spanning_with_systmone(start, end).
func (r PracticeRegistrationsFrame) SpanningWithSystmone(start, end query.DatePatientSeries) PracticeRegistrationsFrame {
	return r.Spanning(start, end).Where(r.PracticeSystmoneGoLiveDate.Le(start))
}

// ForPatientOn is each patient's address on date:
// where(start_date <= date).except_where(end_date < date), then
// sort_by(case(when(has_postcode).then(1), otherwise=0), start_date,
// end_date, address_id).last_for_patient(). Addresses with a NULL start
// date are never chosen; open-ended ones and ones ending on date count. It
// prefers an address with a postcode (a NULL has_postcode counts as none),
// then the latest start date, then the latest non-NULL end date, then the
// largest address_id; patients with no address on date get NULL columns.
// ehrQL: addresses.for_patient_on(date).
func (a AddressesFrame) ForPatientOn(date query.DatePatientSeries) AddressesRow {
	// The Case has one value per address (has_postcode is an event
	// series), though its Go type, set by the constant values, is a patient
	// series; it is only used as a sort key, which takes either.
	hasPostcode := query.Case(
		query.When(a.HasPostcode, query.Int(1)),
		query.Otherwise(query.Int(0)),
	)
	return a.Where(a.StartDate.Le(date)).
		ExceptWhere(a.EndDate.Lt(date)).
		SortBy(hasPostcode, a.StartDate, a.EndDate, a.AddressID).
		LastForPatient()
}

// IMDQuintile is the Index of Multiple Deprivation rank of the address
// (imd_rounded) as a quintile: "1 (most deprived)", "2", "3", "4", "5 (least
// deprived)", or "unknown" where imd_rounded is NULL, including patients
// with no address. The quintiles divide the 32,844 LSOA ranks at
// int(32844*k/5): imd_rounded >= 0 and <= 6568 is "1 (most deprived)", then
// <= 13137, <= 19706, <= 26275 and <= 32844. ehrQL: the imd_quintile
// property of addresses, here on the row picked by ForPatientOn,
// FirstForPatient or LastForPatient.
func (r AddressesRow) IMDQuintile() query.StrPatientSeries {
	return imdBands(r.ImdRounded, 5).(query.StrPatientSeries)
}

// IMDDecile is the Index of Multiple Deprivation rank of the address
// (imd_rounded) as a decile: "1 (most deprived)", "2" … "9", "10 (least
// deprived)", or "unknown" where imd_rounded is NULL. The deciles divide the
// 32,844 LSOA ranks at int(32844*k/10): imd_rounded >= 0 and <= 3284 is "1
// (most deprived)", then <= 6568, <= 9853, <= 13137, <= 16422, <= 19706,
// <= 22990, <= 26275, <= 29559 and <= 32844. ehrQL: the imd_decile property
// of addresses, here on a picked row.
func (r AddressesRow) IMDDecile() query.StrPatientSeries {
	return imdBands(r.ImdRounded, 10).(query.StrPatientSeries)
}

// IMDQuintile is the IMD quintile of each address, as AddressesRow.IMDQuintile
// says. ehrQL: the imd_quintile property of addresses, on the table or a
// filtered or sorted view of it.
func (a AddressesColumns) IMDQuintile() query.StrEventSeries {
	return imdBands(a.ImdRounded, 5).(query.StrEventSeries)
}

// IMDDecile is the IMD decile of each address, as AddressesRow.IMDDecile
// says. ehrQL: the imd_decile property of addresses, on the table or a
// filtered or sorted view of it.
func (a AddressesColumns) IMDDecile() query.StrEventSeries {
	return imdBands(a.ImdRounded, 10).(query.StrEventSeries)
}

// imdLSOAs is the number of LSOAs ranked by the IMD 2019.
const imdLSOAs = 32844

// imdSeries is imd_rounded of an address or of a picked address: an
// IntEventSeries or an IntPatientSeries.
type imdSeries interface {
	query.IntSeries
	query.IntEventSeries | query.IntPatientSeries
}

// imdBands is ehrQL's case over imd_rounded for n bands:
// when((imd >= 0) & (imd <= int(32844*1/n))).then("1 (most deprived)"),
// when(imd <= int(32844*k/n)).then("k") …,
// when(imd <= 32844).then("n (least deprived)"), otherwise="unknown". The
// result has one value per patient where imd has.
func imdBands[I imdSeries](imd I, n int) query.StrSeries {
	atMost := func(bound int) query.BoolSeries {
		switch imd := any(imd).(type) {
		case query.IntEventSeries:
			return imd.Le(query.Int(bound))
		default:
			return imd.(query.IntPatientSeries).Le(query.Int(bound))
		}
	}
	nonNegative := func() query.BoolSeries {
		switch imd := any(imd).(type) {
		case query.IntEventSeries:
			return imd.Ge(query.Int(0)).And(atMost(imdLSOAs / n))
		default:
			return imd.(query.IntPatientSeries).Ge(query.Int(0)).And(atMost(imdLSOAs / n).(query.BoolPatientSeries))
		}
	}
	branches := make([]query.Branch[query.StrSeries], 0, n+1)
	for k := 1; k <= n; k++ {
		label := strconv.Itoa(k)
		cond := atMost(imdLSOAs * k / n)
		switch k {
		case 1:
			label += " (most deprived)"
			cond = nonNegative()
		case n:
			label += " (least deprived)"
		}
		branches = append(branches, query.When[query.StrSeries](cond, query.Str(label)))
	}
	branches = append(branches, query.Otherwise[query.StrSeries](query.Str("unknown")))
	return query.Case(branches...)
}

// ElectronicFrailtyIndex keeps the values of the UK Electronic Frailty Index
// v1: where(algorithm_description == "UK Electronic Frailty Index
// (eFI)").where(algorithm_version == "1.0"). ehrQL:
// decision_support_values.electronic_frailty_index().
func (d DecisionSupportValuesFrame) ElectronicFrailtyIndex() DecisionSupportValuesFrame {
	return d.Where(d.AlgorithmDescription.Eq(query.Str("UK Electronic Frailty Index (eFI)"))).
		Where(d.AlgorithmVersion.Eq(query.Str("1.0")))
}
