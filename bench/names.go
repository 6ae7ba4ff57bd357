package bench

// Synthetic Québec-flavoured vocabulary: frequent surnames and given names in
// Québec, places of the two first CIUSSS regions (Mauricie-et-du-Centre-du-
// Québec, Nord-de-l'Île-de-Montréal), and clinical codes (LOINC with UCUM
// units, SNOMED CT, WHO ATC). None of it describes a real person.

var families = []string{"Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin",
	"Lavoie", "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron",
	"Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé",
	"Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin", "Thibault", "St-Pierre",
	"Nadeau", "Martin", "Landry", "Martel", "Bédard", "Grenier", "Lessard", "Bernier", "D'Amours", "Ng"}

var givenMale = []string{"Jean", "Pierre", "Michel", "André", "Luc", "Marc", "François", "Louis",
	"Gabriel", "William", "Félix", "Samuel", "Olivier", "Thomas", "Émile", "Jacques", "Mohamed", "Nguyen"}

var givenFemale = []string{"Marie", "Julie", "Sophie", "Isabelle", "Nathalie", "Chantal", "Émilie",
	"Léa", "Alice", "Florence", "Camille", "Rosalie", "Chloé", "Béatrice", "Geneviève", "Mélanie", "Fatima"}

type place struct{ city, postal, area string } // postal: forward sortation area; area: phone area code

var places = []place{
	{"Trois-Rivières", "G9A", "819"}, {"Trois-Rivières", "G8Y", "819"}, {"Shawinigan", "G9N", "819"},
	{"Drummondville", "J2B", "819"}, {"Victoriaville", "G6P", "819"}, {"La Tuque", "G9X", "819"},
	{"Montréal", "H1G", "514"}, {"Montréal", "H2C", "514"}, {"Montréal", "H3L", "438"},
	{"Montréal", "H4J", "514"}, {"Montréal", "H1H", "438"},
}

var streets = []string{"rue Principale", "boulevard des Forges", "rue Notre-Dame", "avenue Papineau",
	"boulevard Henri-Bourassa", "rue Saint-Laurent", "rue des Érables", "chemin du Roy"}

// measure is an observation code with its UCUM unit and a plausible range.
type measure struct {
	loinc, display, category, unit string
	low, high                      float64
	decimals                       int
}

var measures = []measure{
	{"8867-4", "Heart rate", "vital-signs", "/min", 50, 120, 0},
	{"8480-6", "Systolic blood pressure", "vital-signs", "mm[Hg]", 95, 180, 0},
	{"8462-4", "Diastolic blood pressure", "vital-signs", "mm[Hg]", 55, 105, 0},
	{"8310-5", "Body temperature", "vital-signs", "Cel", 36, 39.5, 1},
	{"9279-1", "Respiratory rate", "vital-signs", "/min", 10, 28, 0},
	{"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "vital-signs", "%", 88, 100, 0},
	{"29463-7", "Body weight", "vital-signs", "kg", 45, 130, 1},
	{"8302-2", "Body height", "vital-signs", "cm", 150, 195, 0},
	{"15074-8", "Glucose [Moles/volume] in Blood", "laboratory", "mmol/L", 3.8, 14, 1},
	{"2823-3", "Potassium [Moles/volume] in Serum or Plasma", "laboratory", "mmol/L", 3.2, 5.6, 1},
	{"2951-2", "Sodium [Moles/volume] in Serum or Plasma", "laboratory", "mmol/L", 130, 148, 0},
	{"14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "laboratory", "umol/L", 50, 180, 0},
	{"718-7", "Hemoglobin [Mass/volume] in Blood", "laboratory", "g/L", 95, 170, 0},
	{"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "laboratory", "%", 4.8, 10, 1},
}

type concept struct{ code, display string }

var conditions = []concept{
	{"44054006", "Diabète de type 2"}, {"38341003", "Hypertension artérielle"},
	{"195967001", "Asthme"}, {"13645005", "Maladie pulmonaire obstructive chronique"},
	{"49436004", "Fibrillation auriculaire"}, {"35489007", "Dépression"},
	{"396275006", "Arthrose"}, {"55822004", "Hyperlipidémie"},
}

var medications = []concept{
	{"A10BA02", "metformine"}, {"C09AA05", "ramipril"}, {"C10AA05", "atorvastatine"},
	{"R03AC02", "salbutamol"}, {"B01AF02", "apixaban"}, {"H03AA01", "lévothyroxine"},
	{"N06AB06", "sertraline"}, {"C07AB02", "métoprolol"},
}

var encounterClasses = []concept{{"AMB", "ambulatoire"}, {"EMER", "urgence"}, {"IMP", "hospitalisation"}}

const (
	loinc      = "http://loinc.org"
	ucum       = "http://unitsofmeasure.org"
	snomed     = "http://snomed.info/sct"
	atc        = "http://www.whocc.no/atc"
	obsCatSys  = "http://terminology.hl7.org/CodeSystem/observation-category"
	actCodeSys = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
)
