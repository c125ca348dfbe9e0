//! Formal first names and the short forms people sign up with, across the languages of the
//! data (English, German, French, Spanish, Italian, Dutch, Portuguese, Nordic).
//!
//! Entries are folded ([`super::name::fold`]): lowercase ASCII. Only genuine short forms are
//! listed, and short forms shared by unrelated names ("bert": albert, robert, herbert) are left
//! out on purpose: every name linked through the table ends up in one group
//! ([`group_key`]), so one loose link would merge whole families of names.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

/// Formal name → its short forms and spelling variants. Includes every pair of the sandbox's
/// `NICKNAMES` (crates/sandbox/src/seed/names.rs and, for the lead benchmark,
/// crates/sandbox/src/leads/pools.rs).
#[rustfmt::skip]
pub const NICKNAMES: &[(&str, &[&str])] = &[
    // English
    ("abigail", &["abby", "abbie", "gail"]),
    ("abraham", &["abe", "bram"]),
    ("adrian", &["ade"]),
    ("alan", &["allan", "allen", "alain"]),
    ("albert", &["bertie", "alberto"]),
    ("alexander", &["alex", "alec", "xander", "sasha", "sascha", "lex"]),
    ("alexandra", &["alex", "lexi", "alexa"]),
    ("alfred", &["alf", "alfie", "fred"]),
    ("allison", &["allie"]),
    ("amanda", &["mandy", "manda"]),
    ("amelia", &["millie", "amelie"]),
    ("andrew", &["andy", "drew"]),
    ("angela", &["angie"]),
    ("anthony", &["tony", "ant"]),
    ("arthur", &["art", "artie"]),
    ("barbara", &["barb", "babs"]),
    ("benjamin", &["ben", "benny", "benji"]),
    ("bradley", &["brad"]),
    ("cameron", &["cam"]),
    ("carolyn", &["carol", "carrie"]),
    ("catherine", &["cathy", "cat", "kate", "katie", "cate"]),
    ("charles", &["charlie", "chuck", "chas", "chaz"]),
    ("charlotte", &["lottie", "charlie", "lotte"]),
    ("christina", &["chris", "tina", "chrissy", "cristina", "kristina", "cris"]),
    ("christine", &["chris", "chrissy"]),
    ("christopher", &["chris", "kit", "topher", "christoph", "christophe", "kristoffer"]),
    ("clifford", &["cliff"]),
    ("cynthia", &["cindy"]),
    ("daniel", &["dan", "danny", "dani", "daan", "daniele"]),
    ("david", &["dave", "davey"]),
    ("deborah", &["debbie", "deb", "debby", "debra"]),
    ("dominic", &["dom", "dominik", "dominique"]),
    ("donald", &["don", "donny"]),
    ("dorothy", &["dot", "dottie"]),
    ("douglas", &["doug"]),
    ("edward", &["ed", "ted", "eddie", "ned", "teddy"]),
    ("eleanor", &["ellie", "nell", "nora"]),
    ("elizabeth", &["liz", "beth", "lizzie", "lizzy", "betty", "bess", "eliza", "libby", "elisabeth", "elisabet", "lisa", "liesl", "lise", "elsa", "lisbeth", "lisbet", "sissi"]),
    ("emily", &["emmy"]),
    ("eugene", &["gene"]),
    ("frederick", &["fred", "freddie", "freddy", "fritz", "friedrich", "fredrik", "frederic", "frederik", "federico", "fede", "fredde", "frits"]),
    ("gabriel", &["gabi", "gabe"]),
    ("gabriela", &["gabi", "gaby", "gabriele", "gabrielle", "gabriella"]),
    ("george", &["georgie", "georg", "jorge", "giorgio", "georges", "joris", "juergen", "jurgen", "joerg", "jorg", "jorgen", "joergen", "goran"]),
    ("gerald", &["gerry", "jerry"]),
    ("gregory", &["greg"]),
    ("harold", &["hal"]),
    ("helena", &["helen", "helene", "elena", "elin", "lena", "leni"]),
    ("henry", &["harry", "hank", "heinrich", "heinz", "hendrik", "henk", "henri", "enrique", "quique", "enrico", "henrik", "henrique", "heikki"]),
    ("isabella", &["bella", "izzy", "isabel", "isabelle", "isa"]),
    ("jacob", &["jake", "jakob", "jacobus", "jaap", "koos"]),
    ("james", &["jim", "jimmy", "jamie", "jimbo"]),
    ("jeffrey", &["jeff", "geoff", "geoffrey"]),
    ("jennifer", &["jen", "jenny", "jenn"]),
    ("jessica", &["jess", "jessie"]),
    ("john", &["johnny", "jack", "jon"]),
    ("jonathan", &["jon", "jonny"]),
    ("joseph", &["joe", "joey", "josef", "sepp", "beppe", "peppe", "giuseppe", "pino"]),
    ("joshua", &["josh"]),
    ("judith", &["judy", "jude"]),
    ("julian", &["julien", "jules", "juliano"]),
    ("katherine", &["kate", "kathy", "katie", "kathryn", "kat", "kitty", "katharine", "kathleen"]),
    ("kenneth", &["ken", "kenny"]),
    ("kimberly", &["kim"]),
    ("lawrence", &["larry", "laurence", "laurent", "lorenz", "lorenzo"]),
    ("leonard", &["leo", "len", "lenny", "leonhard"]),
    ("louis", &["lou", "louie", "luis", "luiz", "luigi", "ludwig"]),
    ("lucia", &["lucy", "lucie"]),
    ("lukas", &["luke", "lucas", "luca"]),
    ("margaret", &["maggie", "peggy", "meg", "marge", "margie", "greta", "grete", "margarete", "margareta", "margarethe", "margarita", "margherita", "marguerite", "maggan"]),
    ("maria", &["mary", "marie", "mia", "maja", "marieke", "mimi"]),
    ("martin", &["marty", "maarten", "martijn", "martino"]),
    ("matthew", &["matt", "matty", "mathew"]),
    ("michael", &["mike", "mikey", "mick", "mickey", "micha", "michi", "mikael", "micke", "michel", "michiel", "miguel", "michele", "mikko"]),
    ("nathaniel", &["nate", "nat"]),
    ("nicholas", &["nick", "nicky", "nico", "nicolas", "nikolaus", "niklas", "nicolaas", "klaas", "claus", "klaus", "nicola", "nicolo", "niccolo", "nils"]),
    ("oliver", &["olly", "ollie", "oli", "olivier"]),
    ("pamela", &["pam"]),
    ("patricia", &["pat", "patty", "trish", "tricia"]),
    ("patrick", &["pat", "paddy", "patrice"]),
    ("paul", &["paulo", "pablo", "paolo"]),
    ("peter", &["pete", "pieter", "piet", "petrus", "pedro", "pietro", "pierre", "per", "peer", "pekka"]),
    ("philip", &["phil", "phillip", "philipp", "philippe", "felipe", "filipe", "filippo"]),
    ("raymond", &["ray", "ramon", "raimund", "raimondo", "raymundo"]),
    ("rebecca", &["becky", "becca", "bex"]),
    ("richard", &["rick", "ricky", "rich", "richie", "dick", "ricardo", "riccardo"]),
    ("robert", &["bob", "rob", "bobby", "robbie", "robby", "roberto"]),
    ("ronald", &["ron", "ronnie"]),
    ("samantha", &["sam", "sammy"]),
    ("samuel", &["sam", "sammy"]),
    ("sandra", &["sandy"]),
    ("sophia", &["sophie", "sofia", "sofie"]),
    ("stephanie", &["steph", "stefanie", "steffi"]),
    ("stephen", &["steve", "stevie", "steven", "stefan", "steffen", "stephan", "stephane", "esteban", "stefano"]),
    ("susan", &["sue", "susie", "suzy", "susanne", "susanna", "suzanne", "susi", "sanne"]),
    ("theodore", &["theo"]),
    ("thomas", &["tom", "tommy", "thom", "tomas", "tommaso", "tomasz"]),
    ("timothy", &["tim", "timmy"]),
    ("valerie", &["val"]),
    ("victoria", &["vicky", "vicki", "tori", "viktoria"]),
    ("vincent", &["vince", "vinny", "vincenzo", "enzo", "vicente"]),
    ("walter", &["walt", "wally"]),
    ("william", &["bill", "will", "billy", "willy", "willie", "liam", "wilhelm", "willi", "willem", "wim", "guillaume", "guillermo", "guglielmo", "memo", "guilherme", "guille", "gui"]),
    ("zachary", &["zach", "zack", "zak"]),
    // German
    ("andreas", &["andi", "andy", "andre", "andrea", "anders", "andres", "andrew", "antti"]),
    ("benedikt", &["bene", "benedict", "benedetto", "benoit", "benito", "ben"]),
    ("bernhard", &["bernd", "bernard", "bernardo"]),
    ("christian", &["chris", "krischan", "christiaan", "kristian", "cristian", "cristiano"]),
    ("florian", &["flo"]),
    ("franziska", &["franzi"]),
    ("gerhard", &["gerd", "gert", "gerard", "gerardo", "gerardus", "gerrit"]),
    ("gustav", &["gustavo", "gustaf", "gus", "goesta", "gosta"]),
    ("johannes", &["hans", "jo", "hannes", "johann", "jan", "jens", "johan", "jannes", "jussi"]),
    ("katharina", &["kathi", "katja", "katrin", "karin", "katarina", "catarina", "caterina", "kajsa", "katharine"]),
    ("konrad", &["conrad", "koenraad", "koen", "kurt"]),
    ("magdalena", &["magda", "madeleine", "madeline", "maddie"]),
    ("matthias", &["matze", "mathias", "matthijs", "thijs", "mattias", "matteo", "mathieu", "matthieu", "matti", "matt"]),
    ("maximilian", &["max", "maxi", "maxim", "maxime", "massimo", "maximiliano"]),
    ("sebastian", &["basti", "bas", "seb", "bastian", "sebastien", "sebastiao"]),
    ("tobias", &["tobi", "toby"]),
    ("ulrich", &["uli", "ulli"]),
    ("wolfgang", &["wolf", "wolfi"]),
    // French
    ("dominique", &["dom"]),
    ("emmanuel", &["manu", "manuel", "manolo", "emanuele", "manoel"]),
    ("isabelle", &["isa"]),
    ("jean baptiste", &["jb"]),
    ("nicolas", &["nico"]),
    ("veronique", &["vero", "veronica", "veronika"]),
    // Spanish
    ("alejandro", &["alex", "alejo", "alessandro", "sandro", "alexandre", "alexandru", "aleksander"]),
    ("concepcion", &["concha", "conchita"]),
    ("dolores", &["lola", "lolita"]),
    ("eduardo", &["edu", "lalo", "eduard", "edoardo", "edward"]),
    ("fernanda", &["nanda"]),
    ("fernando", &["nando", "ferdinand"]),
    ("francisco", &["paco", "pancho", "curro", "chico", "francesco", "franco", "cesco", "francois", "franz", "frans", "franciscus", "francis", "frank", "franky", "fran"]),
    ("guadalupe", &["lupe", "lupita"]),
    ("ignacio", &["nacho", "ignatius", "ignaz", "inaki"]),
    ("javier", &["javi"]),
    ("jesus", &["chucho", "chuy", "chus"]),
    ("jose", &["pepe", "pepito", "chema", "ze"]),
    ("mercedes", &["merche", "meche"]),
    ("montserrat", &["montse"]),
    ("rosario", &["charo", "chayo"]),
    ("santiago", &["santi", "tiago", "thiago", "yago"]),
    // Italian
    ("antonio", &["toni", "tonio", "tonino", "toninho", "anton", "antonius", "toon", "ton", "antoine", "antonin", "tony", "tonho"]),
    ("domenico", &["mimmo"]),
    ("giovanni", &["gianni", "nanni", "vanni"]),
    ("raffaele", &["lele", "raffa", "rafael", "rafa", "raphael"]),
    ("salvatore", &["toto", "turi", "salva"]),
    // Dutch
    ("adrianus", &["adrie", "arie", "adriaan"]),
    ("cornelis", &["kees", "cor", "corneel", "cornelius"]),
    ("justus", &["joost"]),
    ("theodorus", &["theo", "dorus"]),
    ("wilhelmina", &["mina", "wilma", "willemijn", "mien"]),
    // Portuguese
    ("beatriz", &["bia", "bea", "beatrix", "beatrice", "beatrijs"]),
    ("joao", &["joaozinho"]),
    // Nordic
    ("erik", &["eric", "erich", "eirik"]),
    ("joakim", &["jocke", "joachim", "jochen", "achim"]),
    ("kristina", &["stina", "kicki", "kirsten", "kerstin", "kristin"]),
    ("lars", &["lasse", "laurens", "lauritz", "lorenz"]),
    ("magnus", &["mange", "manne"]),
    // The lead benchmark's pools (crates/sandbox/src/leads/pools.rs), beyond the above
    ("annemiek", &["miek"]),
    ("harriet", &["hattie"]),
    ("jacqueline", &["jackie", "jacky"]),
    ("luciana", &["lu"]),
    ("rodrigo", &["digo", "rodri"]),
    // Indian and Japanese
    ("abhishek", &["abhi"]),
    ("aishwarya", &["ash"]),
    ("balakrishnan", &["bala"]),
    ("hiroshi", &["hiro"]),
    ("karthik", &["karthi"]),
    ("kazuki", &["kaz"]),
    ("krishna", &["kris"]),
    ("rajesh", &["raj"]),
    ("siddharth", &["sid"]),
    ("srinivas", &["srini"]),
    ("subramanian", &["subbu"]),
    ("takeshi", &["take"]),
    ("venkatesh", &["venky"]),
    ("yoshihiro", &["yoshi"]),
];

/// Folded first name → group key, built once: union-find over the table, each group keyed by
/// its alphabetically smallest formal name.
static GROUPS: LazyLock<FxHashMap<&'static str, &'static str>> = LazyLock::new(build);

/// The group key of a folded first name the table knows.
pub fn group_key(folded: &str) -> Option<&'static str> {
    GROUPS.get(folded).copied()
}

fn build() -> FxHashMap<&'static str, &'static str> {
    let mut index: FxHashMap<&'static str, usize> = FxHashMap::default();
    let mut names: Vec<&'static str> = Vec::new();
    let mut id = |name: &'static str| {
        *index.entry(name).or_insert_with(|| {
            names.push(name);
            names.len() - 1
        })
    };
    let mut edges = Vec::new();
    for (formal, shorts) in NICKNAMES {
        let f = id(formal);
        edges.push((f, f));
        for short in *shorts {
            edges.push((f, id(short)));
        }
    }
    let mut parent: Vec<usize> = (0..names.len()).collect();
    for (a, b) in edges {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    // Each group's key: its smallest formal name (every group has one: groups grow from
    // formal names).
    let mut key: FxHashMap<usize, &'static str> = FxHashMap::default();
    for (formal, _) in NICKNAMES {
        let Some(&i) = index.get(formal) else {
            continue;
        };
        let root = find(&mut parent, i);
        let k = key.entry(root).or_insert(formal);
        if *formal < *k {
            *k = formal;
        }
    }
    let mut out = FxHashMap::default();
    for (i, name) in names.iter().enumerate() {
        let root = find(&mut parent, i);
        out.insert(*name, key.get(&root).copied().unwrap_or(name));
    }
    out
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::name::fold;

    /// The sandbox's `NICKNAMES` (crates/sandbox/src/seed/names.rs), as written there.
    const SANDBOX: &[(&str, &[&str])] = &[
        ("James", &["Jim", "Jimmy"]),
        ("Robert", &["Bob", "Rob"]),
        ("William", &["Bill", "Will"]),
        ("Michael", &["Mike"]),
        ("Elizabeth", &["Liz", "Beth"]),
        ("Jennifer", &["Jen"]),
        ("Katherine", &["Kate", "Kathy"]),
        ("Margaret", &["Maggie", "Peggy"]),
        ("Christopher", &["Chris"]),
        ("Jessica", &["Jess"]),
        ("Daniel", &["Dan", "Danny"]),
        ("Thomas", &["Tom"]),
        ("Alexander", &["Alex"]),
        ("Victoria", &["Vicky"]),
        ("Edward", &["Ed", "Ted"]),
        ("Rebecca", &["Becky"]),
        ("Johannes", &["Hans", "Jo"]),
        ("Maximilian", &["Max"]),
        ("Katharina", &["Kathi"]),
        ("Matthias", &["Matze"]),
        ("Nicolas", &["Nico"]),
        ("Francisco", &["Paco"]),
        ("Gabriel", &["Gabi"]),
        ("Fernanda", &["Nanda"]),
    ];

    /// The lead benchmark's `NICKNAMES` (crates/sandbox/src/leads/pools.rs), as written there.
    #[rustfmt::skip]
    const POOLS: &[(&str, &[&str])] = &[
        ("Joseph", &["Joe"]),
        ("Richard", &["Rick", "Rich", "Dick"]),
        ("Charles", &["Charlie", "Chuck"]),
        ("Anthony", &["Tony"]),
        ("Matthew", &["Matt"]),
        ("Andrew", &["Andy", "Drew"]),
        ("Joshua", &["Josh"]),
        ("Kenneth", &["Ken", "Kenny"]),
        ("Steven", &["Steve"]),
        ("Stephen", &["Steve"]),
        ("Timothy", &["Tim"]),
        ("Ronald", &["Ron"]),
        ("Jeffrey", &["Jeff"]),
        ("Nicholas", &["Nick"]),
        ("Jonathan", &["Jon"]),
        ("Benjamin", &["Ben"]),
        ("Samuel", &["Sam"]),
        ("Gregory", &["Greg"]),
        ("Patrick", &["Pat"]),
        ("Raymond", &["Ray"]),
        ("Zachary", &["Zach"]),
        ("Douglas", &["Doug"]),
        ("Peter", &["Pete"]),
        ("Gerald", &["Gerry"]),
        ("Lawrence", &["Larry"]),
        ("Philip", &["Phil"]),
        ("Frederick", &["Fred"]),
        ("Patricia", &["Pat", "Patty"]),
        ("Barbara", &["Barb"]),
        ("Susan", &["Sue"]),
        ("Kimberly", &["Kim"]),
        ("Deborah", &["Deb", "Debbie"]),
        ("Stephanie", &["Steph"]),
        ("Cynthia", &["Cindy"]),
        ("Kathleen", &["Kathy", "Kate"]),
        ("Pamela", &["Pam"]),
        ("Samantha", &["Sam"]),
        ("Christine", &["Chris"]),
        ("Christina", &["Chris", "Tina"]),
        ("Catherine", &["Cathy", "Kate"]),
        ("Abigail", &["Abby"]),
        ("Jacqueline", &["Jackie"]),
        ("Alexandra", &["Alex"]),
        ("Nicola", &["Nicky"]),
        ("Eleanor", &["Ellie"]),
        ("Harriet", &["Hattie"]),
        ("Jennifer", &["Jenny"]),
        ("Thomas", &["Tommy"]),
        ("Andreas", &["Andi"]),
        ("Stefan", &["Steffen"]),
        ("Sebastian", &["Basti"]),
        ("Tobias", &["Tobi"]),
        ("Wolfgang", &["Wolf"]),
        ("Christian", &["Chris"]),
        ("Alexander", &["Sascha"]),
        ("Stephanie", &["Steffi"]),
        ("Franziska", &["Franzi"]),
        ("Susanne", &["Susi"]),
        ("Gabriele", &["Gabi"]),
        ("Elisabeth", &["Lisa", "Sissi"]),
        ("Benedikt", &["Ben"]),
        ("Dominik", &["Dom"]),
        ("Friedrich", &["Fritz"]),
        ("Nicolas", &["Nico"]),
        ("Guillaume", &["Guille"]),
        ("Frédéric", &["Fred"]),
        ("Christophe", &["Chris"]),
        ("Sébastien", &["Seb"]),
        ("Alexandre", &["Alex"]),
        ("Mathieu", &["Matt"]),
        ("Maxime", &["Max"]),
        ("Francisco", &["Paco", "Fran"]),
        ("José", &["Pepe"]),
        ("Manuel", &["Manolo"]),
        ("Antonio", &["Toni"]),
        ("Alejandro", &["Álex"]),
        ("Ignacio", &["Nacho"]),
        ("Guillermo", &["Guille"]),
        ("Enrique", &["Quique"]),
        ("Dolores", &["Lola"]),
        ("Concepción", &["Concha"]),
        ("Montserrat", &["Montse"]),
        ("Jesús", &["Chus"]),
        ("Cristina", &["Cris"]),
        ("Johannes", &["Jan", "Hans"]),
        ("Cornelis", &["Kees"]),
        ("Hendrik", &["Henk"]),
        ("Willem", &["Wim"]),
        ("Pieter", &["Piet"]),
        ("Gerrit", &["Gert"]),
        ("Annemiek", &["Miek"]),
        ("Frederik", &["Frits"]),
        ("Fredrik", &["Fredde"]),
        ("Mikael", &["Micke"]),
        ("Kristina", &["Stina"]),
        ("Margareta", &["Maggan"]),
        ("Elisabeth", &["Lisa"]),
        ("Andreas", &["Andy"]),
        ("Antônio", &["Tonho"]),
        ("Francisco", &["Chico"]),
        ("Eduardo", &["Edu"]),
        ("Rafael", &["Rafa"]),
        ("Guilherme", &["Gui"]),
        ("Rodrigo", &["Digo"]),
        ("Fernando", &["Nando"]),
        ("Luciana", &["Lu"]),
        ("Gabriela", &["Gabi"]),
        ("Beatriz", &["Bia"]),
        ("Rajesh", &["Raj"]),
        ("Venkatesh", &["Venky"]),
        ("Srinivas", &["Srini"]),
        ("Subramanian", &["Subbu"]),
        ("Siddharth", &["Sid"]),
        ("Abhishek", &["Abhi"]),
        ("Aishwarya", &["Ash"]),
        ("Karthik", &["Karthi"]),
        ("Balakrishnan", &["Bala"]),
        ("Krishna", &["Kris"]),
        ("Takeshi", &["Take"]),
        ("Hiroshi", &["Hiro"]),
        ("Yoshihiro", &["Yoshi"]),
        ("Kazuki", &["Kaz"]),
    ];

    #[test]
    fn every_sandbox_pair_shares_a_key() {
        let mut misses = Vec::new();
        for (formal, shorts) in SANDBOX.iter().chain(POOLS) {
            let key = group_key(&fold(formal));
            for short in *shorts {
                if key.is_none() || group_key(&fold(short)) != key {
                    misses.push(format!("{formal} / {short}"));
                }
            }
        }
        assert!(misses.is_empty(), "{misses:?}");
    }

    #[test]
    fn table_is_folded() {
        for (formal, shorts) in NICKNAMES {
            assert_eq!(fold(formal), *formal);
            for short in *shorts {
                assert_eq!(fold(short), *short);
                assert_ne!(short, formal);
            }
        }
    }

    #[test]
    fn keys_are_formal_names_of_their_group_and_stable() {
        let formals: Vec<&str> = NICKNAMES.iter().map(|(f, _)| *f).collect();
        for (name, key) in GROUPS.iter() {
            assert!(formals.contains(key), "{name} → {key}");
            assert_eq!(group_key(key), Some(*key));
        }
    }

    #[test]
    fn groups_stay_small() {
        let mut sizes: FxHashMap<&str, usize> = FxHashMap::default();
        for key in GROUPS.values() {
            *sizes.entry(key).or_default() += 1;
        }
        let biggest = sizes.values().max().copied().unwrap_or(0);
        assert!(
            biggest <= 40,
            "a nickname group of {biggest} names: {sizes:?}"
        );
    }
}
