//! flex-api round trips against flex-sim on loopback: requests/s, p50 and p99 with 1 and 16
//! concurrent callers, printed as markdown tables. A benchmark, not a test.
//!
//! ```text
//! cargo run --release -p flex-api --example bench                    # simulator in-process
//! cargo run --release -p flex-api --example bench -- --sim-bin target/release/flex-sim
//! options: --secs N (per measurement, default 3)  --runs N (default 3)  --base-url URL
//! ```
//!
//! By default the simulator runs in this process but on its own tokio runtime (2 worker
//! threads), separate from the client's runtime (2 workers), so the two do not share a
//! scheduler; `--sim-bin` starts the release `flex-sim` binary as a separate process instead, and
//! `--base-url` uses one that is already running (it must have the demo seed). The machine has 2
//! cores, so client and simulator compete for CPU either way: the figures are for the pair.

use std::error::Error as StdError;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use flex_api::{Client, ClientConfig, CreateCustomer, ListProducts};

type BoxError = Box<dyn StdError + Send + Sync>;

struct Options {
    secs: u64,
    runs: usize,
    sim_bin: Option<String>,
    base_url: Option<String>,
}

fn options() -> Result<Options, BoxError> {
    let mut o = Options {
        secs: 3,
        runs: 3,
        sim_bin: None,
        base_url: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--secs" => o.secs = value("--secs")?.parse()?,
            "--runs" => o.runs = value("--runs")?.parse()?,
            "--sim-bin" => o.sim_bin = Some(value("--sim-bin")?),
            "--base-url" => o.base_url = Some(value("--base-url")?),
            other => {
                return Err(format!(
                    "unknown option {other} (see the header of examples/bench.rs)"
                )
                .into());
            }
        }
    }
    if o.runs == 0 || o.secs == 0 {
        return Err("--runs and --secs must be at least 1".into());
    }
    Ok(o)
}

/// Where the simulator lives, and whatever keeps it alive.
enum Sim {
    InProcess(tokio::runtime::Runtime, flex_sim::SimHandle),
    Process(Child),
    External,
}

impl Sim {
    fn describe(&self) -> &'static str {
        match self {
            Sim::InProcess(..) => "flex-sim in-process, own tokio runtime (2 workers)",
            Sim::Process(_) => "flex-sim release binary, separate process",
            Sim::External => "flex-sim already running (--base-url)",
        }
    }
}

fn start_sim(o: &Options) -> Result<(Sim, String), BoxError> {
    if let Some(url) = &o.base_url {
        return Ok((Sim::External, url.clone()));
    }
    if let Some(bin) = &o.sim_bin {
        let mut child = Command::new(bin)
            .args(["--port", "0", "--seed", "demo"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {bin}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout from flex-sim")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected first line from flex-sim: {line:?}"))?
            .to_owned();
        return Ok((Sim::Process(child), url));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let handle = rt.block_on(flex_sim::start(flex_sim::SimConfig {
        port: 0,
        seed: Some(flex_sim::Seed::Demo),
        keys: Vec::new(),
    }))?;
    let url = handle.base_url();
    Ok((Sim::InProcess(rt, handle), url))
}

#[derive(Clone, Copy)]
enum Scenario {
    Retrieve,
    List,
    ListRaw,
    Create,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Retrieve => "GET /v1/products/{id}",
            Scenario::List => "GET /v1/products?limit=10",
            Scenario::ListRaw => "same, untyped (send → Value)",
            Scenario::Create => "POST /v1/customers",
        }
    }

    async fn once(self, client: &Client, product_id: &str) -> Result<(), flex_api::Error> {
        match self {
            Scenario::Retrieve => client.products().retrieve(product_id).await.map(drop),
            Scenario::List => client
                .products()
                .list(&ListProducts {
                    limit: Some(10),
                    ..Default::default()
                })
                .await
                .map(drop),
            Scenario::ListRaw => client
                .send(flex_api::Request::get("/v1/products").query("limit", 10))
                .await
                .map(drop),
            Scenario::Create => client
                .customers()
                .create(&CreateCustomer {
                    email: Some("bench@example.com".into()),
                    ..Default::default()
                })
                .await
                .map(drop),
        }
    }
}

struct Measurement {
    requests: usize,
    per_sec: f64,
    p50_us: u64,
    p99_us: u64,
}

async fn measure(
    client: &Client,
    product_id: &str,
    scenario: Scenario,
    callers: usize,
    secs: u64,
) -> Result<Measurement, BoxError> {
    // Warm the pool: one connection per caller.
    let warm: Vec<_> = (0..callers)
        .map(|_| {
            let (c, id) = (client.clone(), product_id.to_owned());
            tokio::spawn(async move { scenario.once(&c, &id).await })
        })
        .collect();
    for w in warm {
        w.await??;
    }
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (c, id) = (client.clone(), product_id.to_owned());
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(16_384);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    scenario.once(&c, &id).await?;
                    lat.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
                }
                Ok::<_, flex_api::Error>(lat)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let wall = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| -> u64 {
        if all.is_empty() {
            return 0;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((all.len() as f64 * p).ceil() as usize)
            .saturating_sub(1)
            .min(all.len() - 1);
        all[i]
    };
    #[allow(clippy::cast_precision_loss)]
    let per_sec = all.len() as f64 / wall;
    Ok(Measurement {
        requests: all.len(),
        per_sec,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
    })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

fn main() -> Result<(), BoxError> {
    let o = options()?;
    let (sim, base_url) = start_sim(&o)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(run(&o, &base_url, sim.describe()));
    match sim {
        Sim::Process(mut child) => {
            let _ = child.kill();
            let _ = child.wait();
        }
        Sim::InProcess(sim_rt, handle) => {
            sim_rt.block_on(handle.shutdown());
        }
        Sim::External => {}
    }
    result
}

async fn run(o: &Options, base_url: &str, setup: &str) -> Result<(), BoxError> {
    let client = Client::new(ClientConfig::new(flex_sim::DEMO_TEST_KEY).with_base_url(base_url))?;
    let product_id = client
        .products()
        .list(&ListProducts {
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .items
        .first()
        .map(|p| p.product_id.clone())
        .ok_or("the demo seed has no products")?;

    println!("## flex-api → flex-sim round trips\n");
    println!(
        "setup: {setup}; client on its own tokio runtime (2 workers); one pooled reqwest client;"
    );
    println!(
        "{} s per measurement, {} runs; loopback; debug assertions off (release)\n",
        o.secs, o.runs
    );
    println!("| scenario | callers | run | requests | req/s | p50 µs | p99 µs |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut summary = Vec::new();
    for scenario in [
        Scenario::Retrieve,
        Scenario::List,
        Scenario::ListRaw,
        Scenario::Create,
    ] {
        for callers in [1usize, 16] {
            let mut rates = Vec::new();
            let mut p50s = Vec::new();
            let mut p99s = Vec::new();
            for run in 1..=o.runs {
                let m = measure(&client, &product_id, scenario, callers, o.secs).await?;
                println!(
                    "| {} | {callers} | {run} | {} | {:.0} | {} | {} |",
                    scenario.name(),
                    m.requests,
                    m.per_sec,
                    m.p50_us,
                    m.p99_us
                );
                rates.push(m.per_sec);
                #[allow(clippy::cast_precision_loss)]
                {
                    p50s.push(m.p50_us as f64);
                    p99s.push(m.p99_us as f64);
                }
            }
            summary.push((scenario.name(), callers, rates, p50s, p99s));
        }
    }
    println!("\n### Medians over {} runs (min–max in brackets)\n", o.runs);
    println!("| scenario | callers | req/s | p50 µs | p99 µs |");
    println!("|---|---:|---:|---:|---:|");
    for (name, callers, mut rates, mut p50s, mut p99s) in summary {
        let span = |v: &[f64]| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("[{lo:.0}–{hi:.0}]")
        };
        let (r, a, b) = (span(&rates), span(&p50s), span(&p99s));
        println!(
            "| {name} | {callers} | {:.0} {r} | {:.0} {a} | {:.0} {b} |",
            median(&mut rates),
            median(&mut p50s),
            median(&mut p99s)
        );
    }
    Ok(())
}
