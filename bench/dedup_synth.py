"""Synthetic exam banks with planted near-duplicates and hard negatives, with ground truth.

Used by ``bench/dedup.py`` to measure the duplicate detector (``qbank.validate.dedup``).
Stems come from 29 templates in four domains (IT/cloud, nursing, accounting, statistics):
45 % with a scenario sentence in front, 45 % with a background sentence, 10 % bare; median
≈ 37 words (≈ 210 characters); single choice with four options. Questions of one template
share most of their words and differ in numbers and slot values, as siblings in a real
certification bank do — about one look-alike pair (score ≥ 85) per question. A bank holds
exams of 2,000 questions (``exam_size``), each wording the templates with its own vocabulary,
so that density stays level as the bank grows; ``exam_size=None`` is the closed-vocabulary,
adversarial setting of notes/dedup.md.

Planted per bank (fractions of ``n``):

* true duplicates of an earlier question: ``typo`` (one or two character slips),
  ``reorder`` (sentences or clauses moved), ``reword`` (synonyms), ``reword_typo``,
  ``format`` (case, punctuation, emphasis, spacing) and ``shuffled`` (same stem, options in
  another order);
* hard negatives, different questions that look alike: ``number`` (one number changed; the
  key may change), ``negation`` ("NOT" inserted, with a new key) and ``keyterm`` (one key term
  swapped, with a new key from the same options).

Deterministic for a seed. ``SynthBank.questions()`` builds the pydantic models in memory;
``write_bank`` writes the same questions as a bank on disk (qbank.yaml + question files).
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _split(words: str) -> tuple[str, ...]:
    """A vocabulary list written as ``a | b | c`` (compact to read)."""
    return tuple(w.strip() for w in words.split("|"))


DUPLICATE_KINDS = _split("typo | reorder | reword | reword_typo | format | shuffled")
NEGATIVE_KINDS = ("number", "negation", "keyterm")

# -- vocabulary ------------------------------------------------------------------------------

ORGS = {
    "it": _split(
        "A retail company | A logistics start-up | A regional bank | "
        "A media streaming service | A university research group | "
        "A healthcare provider | An online marketplace | A government agency | "
        "A gaming studio | An insurance firm | A travel booking site | "
        "A manufacturing plant"
    ),
    "nursing": _split(
        "A medical-surgical unit | A rural clinic | An emergency department | "
        "A paediatric ward | A long-term care facility | A cardiac step-down unit | "
        "A home health agency | An outpatient surgery centre | A psychiatric unit | "
        "An intensive care unit"
    ),
    "acct": _split(
        "A small retailer | A construction contractor | A software company | "
        "A family-owned bakery | A car dealership | A consulting partnership | "
        "A non-profit charity | A furniture manufacturer | A wholesale distributor | "
        "A dental practice"
    ),
    "stats": _split(
        "A public health researcher | A marketing analyst | A school district | "
        "An agricultural scientist | A quality engineer | A psychology lab | "
        "A city transport office | A pharmaceutical team | An economics student | "
        "A sports scientist"
    ),
}
SCENARIOS = {
    "it": _split(
        "with {n} employees runs most of its workloads in {region} | "
        "is migrating {n} on-premises servers to the cloud over the next {m} months | "
        "stores about {n} terabytes of customer data and must meet {reg} requirements | "
        "recently had an outage that lasted {m} hours during a peak sales event | "
        "operates {n} microservices that are deployed several times a day | "
        "has a small operations team of {m} engineers and a limited budget"
    ),
    "nursing": _split(
        "is caring for a {age}-year-old client admitted {m} days ago with {cond} | "
        "has {n} beds and is short of {m} registered nurses on the night shift | "
        "receives a {age}-year-old client with a history of {cond} | "
        "admits a {age}-year-old client whose vital signs were stable {m} hours ago | "
        "is preparing to discharge a {age}-year-old client treated for {cond}"
    ),
    "acct": _split(
        "has annual revenue of ${n},000 and closes its books every {m} months | "
        "bought equipment for ${n},000 with a useful life of {m} years | "
        "reported net income of ${n},000 in its most recent fiscal year | "
        "carries inventory worth ${n},000 and uses a periodic system | "
        "has {m} employees and pays wages every two weeks"
    ),
    "stats": _split(
        "collected {n} observations from {m} sites over one year | "
        "surveyed {n} respondents about {topic} using a {m}-point scale | "
        "ran an experiment with {n} participants in {m} treatment groups | "
        "is analysing {topic} measured on {n} randomly selected units | "
        "has a sample of {n} records with {m} percent missing values"
    ),
}
#: a sentence of background per question (who did what, when): four slots of twelve, so two
#: questions of one template rarely share it, as in a real bank
DETAILS = {
    "it": (
        _split(
            "The CTO | The platform team | An external auditor | The finance department | "
            "A new hire | The on-call engineer | The data team | Product management | "
            "The CISO | A consultant | The support desk | The DevOps lead"
        ),
        _split(
            "recently reviewed | wants to reduce | is worried about | has documented | "
            "plans to automate | must report on | cannot change | is responsible for | "
            "asked about | needs visibility into | has budgeted for | is redesigning"
        ),
        _split(
            "the backup schedule | monthly cloud spending | the deployment pipeline | "
            "access to production | log retention | the disaster recovery plan | "
            "network latency | the patching process | third-party integrations | "
            "customer data exports | certificate renewals | the incident runbooks"
        ),
        _split(
            "before the next audit | this quarter | after a recent incident | "
            "ahead of a product launch | within the current budget | "
            "as part of a reorganisation | for the board meeting | since last year | "
            "without downtime | by the end of the month | across all environments | "
            "for compliance reasons"
        ),
    ),
    "nursing": (
        _split(
            "The charge nurse | A nursing student | The client's daughter | The physician | "
            "A float nurse | The night supervisor | The pharmacist | The case manager | "
            "A respiratory therapist | The client's spouse | The unit educator | "
            "A travel nurse"
        ),
        _split(
            "is concerned about | has questions about | recently documented | "
            "asks the nurse about | reported a change in | is unfamiliar with | "
            "wants more information on | raised a concern about | is reviewing | "
            "has been monitoring | needs help with | disagrees about"
        ),
        _split(
            "the pain management plan | the fluid balance chart | fall risk | "
            "the medication schedule | wound healing | the diet order | sleep patterns | "
            "mobility | the discharge plan | skin integrity | the oxygen order | "
            "infection control"
        ),
        _split(
            "since the last shift | during morning rounds | after lunch | "
            "before the procedure | over the weekend | at the bedside | during handover | "
            "this morning | after visiting hours | at the family meeting | before discharge | "
            "overnight"
        ),
    ),
    "acct": (
        _split(
            "The controller | An external auditor | The owner | A junior accountant | "
            "The tax advisor | The bookkeeper | The board | A bank lender | "
            "The finance manager | An investor | The payroll clerk | The audit committee"
        ),
        _split(
            "is reviewing | questions | wants to improve | recently changed | asked about | "
            "is concerned about | must approve | is reconciling | needs a report on | "
            "found errors in | plans to restate | is forecasting"
        ),
        _split(
            "the accounts payable ledger | year-end adjustments | the bank reconciliation | "
            "inventory valuation | revenue recognition | the petty cash fund | "
            "fixed asset records | the trial balance | expense reports | "
            "customer credit terms | the general journal | cash flow projections"
        ),
        _split(
            "before the annual audit | this quarter | after a system upgrade | "
            "ahead of a loan application | at month end | for the tax return | "
            "since the merger | for the shareholders | under new management | "
            "before the busy season | as part of a review | for the first time"
        ),
    ),
    "stats": (
        _split(
            "The principal investigator | A graduate student | The funding agency | "
            "A peer reviewer | The data manager | A journal editor | The ethics board | "
            "A co-author | The project sponsor | A statistician | The field team | "
            "An intern"
        ),
        _split(
            "questions | wants to visualise | is cleaning | has summarised | asks about | "
            "is worried about | plans to publish | recently collected | must justify | "
            "has re-coded | needs to explain | double-checked"
        ),
        _split(
            "the outliers | the sampling frame | the coding scheme | the response rate | "
            "the measurement error | the pilot data | the survey weights | "
            "the randomisation | the baseline values | the data dictionary | "
            "the follow-up visits | the dropout pattern"
        ),
        _split(
            "before the analysis | for the final report | after the pilot | "
            "in the second wave | for the grant renewal | at the team meeting | "
            "before submission | over the summer | in the appendix | for the conference | "
            "during data entry | after cleaning"
        ),
    ),
}


FILL = {
    "region": _split("one region | two regions | three regions | a single data centre"),
    "reg": _split("GDPR | HIPAA | PCI DSS | SOC 2 | ISO 27001"),
    "cond": _split(
        "heart failure | asthma | type 2 diabetes | pneumonia | chronic kidney disease | "
        "hypertension | COPD | sepsis | a hip fracture | atrial fibrillation"
    ),
    "topic": _split(
        "sleep quality | customer satisfaction | commute times | crop yield | "
        "exam scores | blood pressure | website traffic | product defects"
    ),
}


@dataclass(frozen=True)
class Template:
    """A question body with ``{slot}`` fields; ``key`` names the key-term slot whose value
    a ``keyterm`` negative swaps; ``options`` is the pool the four options come from."""

    domain: str
    body: str
    key: str
    terms: tuple[str, ...]
    options: tuple[str, ...]


T = Template
TEMPLATES: tuple[Template, ...] = (
    # -- IT / cloud -------------------------------------------------------------------------
    T(
        "it",
        "The team needs to {term} with the least operational overhead and a budget of "
        "${n} per month. Which service should the solutions architect recommend?",
        "term",
        _split(
            "store {m} million small images durably | "
            "run a nightly batch job of {m} minutes | "
            "stream clickstream events in near real time | "
            "query log files with standard SQL | cache session data for {m} web servers | "
            "send email notifications to customers"
        ),
        _split(
            "Amazon S3 | AWS Lambda | Amazon Kinesis Data Streams | Amazon Athena | "
            "Amazon ElastiCache | Amazon SES | Amazon EC2 Spot Instances | AWS Glue"
        ),
    ),
    T(
        "it",
        "An application must {term}. Traffic peaks at {n} requests per second. "
        "Which design meets this requirement at the lowest cost?",
        "term",
        _split(
            "survive the loss of one availability zone | "
            "keep response times under {m} milliseconds | scale to zero when idle | "
            "serve static content to global users | "
            "process messages in the order they arrive"
        ),
        _split(
            "Deploy across multiple availability zones behind a load balancer | "
            "Add a read replica in the same zone | "
            "Use a content delivery network in front of object storage | "
            "Use a FIFO queue with a single consumer group | "
            "Run the service on serverless functions | Increase the instance size"
        ),
    ),
    T(
        "it",
        "A security review found that {term}. The company has {n} accounts in one "
        "organization. What should a security engineer do first?",
        "term",
        _split(
            "an access key was committed to a public repository | "
            "an S3 bucket allows public read access | "
            "a security group allows SSH from 0.0.0.0/0 | "
            "CloudTrail logging is disabled in {m} regions | "
            "the root user has no MFA device"
        ),
        _split(
            "Deactivate the exposed key and rotate credentials | "
            "Enable S3 Block Public Access | "
            "Restrict the inbound rule to the corporate CIDR range | "
            "Enable an organization trail for all regions | Enable MFA on the root user | "
            "Open a support case"
        ),
    ),
    T(
        "it",
        "A database of {n} GB must {term}. Which option requires the fewest changes to the "
        "existing application?",
        "term",
        _split(
            "be encrypted at rest | fail over automatically within {m} minutes | "
            "be restored to any point in the last {m} days | "
            "handle {m} times more read traffic"
        ),
        _split(
            "Enable encryption with a KMS key on a new encrypted copy | "
            "Enable a Multi-AZ deployment | "
            "Enable automated backups with point-in-time recovery | "
            "Add read replicas and route reads to them | Migrate to a NoSQL database | "
            "Export nightly snapshots to another region"
        ),
    ),
    T(
        "it",
        "A web server listens on port {p} and clients report that {term}. Which tool "
        "should the administrator use to diagnose the problem?",
        "term",
        _split(
            "connections time out | TLS handshakes fail | "
            "pages load slowly after {m} minutes | DNS names do not resolve"
        ),
        _split("traceroute | openssl s_client | top | dig | netstat | ping | tcpdump"),
    ),
    T(
        "it",
        "A developer needs to {term} for a container image of {n} MB. Which service "
        "provides this with no servers to manage?",
        "term",
        _split(
            "run the container on a schedule every {m} hours | store and scan the image | "
            "run a long-lived web service | build the image from source on every commit"
        ),
        _split(
            "Amazon ECS on AWS Fargate | Amazon ECR with image scanning | AWS App Runner | "
            "AWS CodeBuild | Amazon EKS on EC2 nodes | Amazon Lightsail"
        ),
    ),
    T(
        "it",
        "Users in {m} offices need to {term}. The network team has a {p} Mbps link. "
        "Which connectivity option is most appropriate?",
        "term",
        (
            "reach private subnets over an encrypted tunnel",
            "access the VPC with consistent low latency",
            "connect several VPCs through one hub",
        ),
        _split(
            "AWS Site-to-Site VPN | AWS Direct Connect | AWS Transit Gateway | VPC peering | "
            "A NAT gateway | An internet gateway"
        ),
    ),
    T(
        "it",
        "An IAM policy must allow a role to {term} in bucket number {n}. Which policy "
        "element grants only this permission?",
        "term",
        _split("read objects | write objects | list the bucket | delete old versions"),
        _split(
            "s3:GetObject on the bucket's objects | s3:PutObject on the bucket's objects | "
            "s3:ListBucket on the bucket | s3:DeleteObjectVersion on the bucket's objects | "
            "s3:* on all resources"
        ),
    ),
    T(
        "it",
        "Monitoring shows that {term} on {n} instances. Which metric or log should the "
        "operations team examine first?",
        "term",
        _split(
            "CPU utilisation stays above {m} percent | disk space runs out every week | "
            "memory usage grows until the process restarts | "
            "requests fail with HTTP 5xx errors"
        ),
        _split(
            "CPUUtilization in CloudWatch | The disk usage metric from the CloudWatch agent | "
            "The memory metric from the CloudWatch agent | "
            "The load balancer's HTTPCode_Target_5XX_Count | VPC Flow Logs | "
            "AWS Config history"
        ),
    ),
    # -- nursing ----------------------------------------------------------------------------
    T(
        "nursing",
        "The client with {term} reports {sym} and has a heart rate of {hr} beats per "
        "minute. Which action should the nurse take first?",
        "term",
        FILL["cond"],
        _split(
            "Assess the airway and breathing | Administer the prescribed oxygen | "
            "Notify the health care provider | Raise the head of the bed | "
            "Check the blood glucose level | Document the findings | Obtain a 12-lead ECG"
        ),
    ),
    T(
        "nursing",
        "A nurse is teaching a client newly diagnosed with {term} about {drug} {d} mg "
        "daily. Which statement by the client indicates understanding?",
        "term",
        FILL["cond"],
        _split(
            "I will take the medication at the same time every day | "
            "I can stop taking it when I feel better | I will double the dose if I miss one | "
            "I should avoid all fluids | I will report a weight gain of 2 pounds in a day | "
            "I can take it with grapefruit juice"
        ),
    ),
    T(
        "nursing",
        "The nurse reviews the laboratory results of a client with {term}: potassium "
        "{k} mEq/L and sodium {na} mEq/L. Which finding requires immediate follow-up?",
        "term",
        FILL["cond"],
        _split(
            "The potassium level | The sodium level | The white blood cell count | "
            "The haemoglobin level | The creatinine level"
        ),
    ),
    T(
        "nursing",
        "A client with {term} is prescribed {drug} {d} mg. The tablets on hand are "
        "{h} mg each. How should the nurse prepare the dose?",
        "term",
        FILL["cond"],
        _split(
            "Give one tablet | Give two tablets | Give half a tablet | "
            "Hold the dose and call the pharmacy | Give three tablets"
        ),
    ),
    T(
        "nursing",
        "Which intervention is most important for a client with {term} who is {age} years "
        "old and has {sym}?",
        "term",
        FILL["cond"],
        _split(
            "Monitor intake and output | Encourage early ambulation | "
            "Provide frequent oral care | Teach pursed-lip breathing | "
            "Implement fall precautions | Weigh the client daily"
        ),
    ),
    T(
        "nursing",
        "The nurse delegates care for a client with {term} to an assistive staff member. "
        "The client's blood pressure is {bp} mm Hg. Which task is appropriate to delegate?",
        "term",
        FILL["cond"],
        _split(
            "Measuring vital signs every {m} hours | Assessing lung sounds | "
            "Teaching about the new medication | Evaluating the response to pain medication | "
            "Planning the discharge"
        ),
    ),
    T(
        "nursing",
        "A client with {term} has an oxygen saturation of {o2} percent on {l} litres of "
        "oxygen. What is the priority nursing diagnosis?",
        "term",
        FILL["cond"],
        _split(
            "Impaired gas exchange | Risk for infection | Acute pain | Deficient knowledge | "
            "Activity intolerance | Anxiety"
        ),
    ),
    # -- accounting ---------------------------------------------------------------------------
    T(
        "acct",
        "A machine costs ${n},000, has a salvage value of ${s},000 and a life of {y} "
        "years. What is the annual depreciation expense under the {term} method?",
        "term",
        _split("straight-line | double-declining-balance | sum-of-the-years-digits | units"),
        _split("${a},000 | ${b},000 | ${c},000 | ${d},000 | It cannot be determined"),
    ),
    T(
        "acct",
        "The company records {term} of ${n},000 at the end of the period. Which journal "
        "entry is correct?",
        "term",
        _split(
            "accrued wages | prepaid insurance used | unearned revenue earned | "
            "depreciation | interest receivable | bad debt expense"
        ),
        _split(
            "Debit expense, credit liability | Debit expense, credit asset | "
            "Debit liability, credit revenue | Debit expense, credit contra-asset | "
            "Debit asset, credit revenue | Debit cash, credit revenue"
        ),
    ),
    T(
        "acct",
        "Beginning inventory was {u} units at ${c} each and the company bought {v} units "
        "at ${d} each. Under {term}, what is the cost of goods sold if {w} units were sold?",
        "term",
        _split("FIFO | LIFO | the weighted average method | specific identification"),
        _split("${a} | ${b} | ${e} | ${f} | It depends on the sales price"),
    ),
    T(
        "acct",
        "On the statement of cash flows, where is {term} of ${n},000 reported?",
        "term",
        _split(
            "the purchase of equipment | the payment of dividends | interest paid | "
            "the issuance of bonds | the sale of a building | the repayment of a loan"
        ),
        _split(
            "Operating activities | Investing activities | Financing activities | "
            "A non-cash disclosure | It is not reported"
        ),
    ),
    T(
        "acct",
        "A company's current assets are ${n},000 and current liabilities are ${s},000. "
        "What is its {term}?",
        "term",
        ("current ratio", "working capital", "quick ratio if inventory is ${c},000"),
        _split("{r1} | {r2} | ${a},000 | ${b},000 | {r3}"),
    ),
    T(
        "acct",
        "An auditor finds that {term} in a sample of {w} transactions. Which assertion is "
        "most at risk?",
        "term",
        _split(
            "sales were recorded before shipment | expenses were recorded twice | "
            "receivables include fictitious customers | inventory counts were overstated | "
            "liabilities were omitted"
        ),
        _split("Cut-off | Occurrence | Existence | Completeness | Valuation | Classification"),
    ),
    T(
        "acct",
        "Under the accrual basis, when should a company recognise {term} worth ${n},000 "
        "that is paid in {m} monthly instalments?",
        "term",
        _split("a service contract | a software licence | a rent payment | a consulting fee"),
        _split(
            "When the service is performed | When the cash is received | "
            "When the contract is signed | At the end of the fiscal year | "
            "When the invoice is sent"
        ),
    ),
    # -- statistics ---------------------------------------------------------------------------
    T(
        "stats",
        "The analyst wants to compare {term} between {g} groups with {n} subjects each. "
        "Which statistical test is most appropriate?",
        "term",
        _split(
            "mean exam scores | median waiting times | proportions of defects | "
            "mean blood pressure before and after treatment | variances of reaction times"
        ),
        _split(
            "One-way ANOVA | Kruskal-Wallis test | Chi-square test of independence | "
            "Paired t-test | Levene's test | Two-sample t-test | Simple linear regression"
        ),
    ),
    T(
        "stats",
        "A {cl} percent confidence interval for {term} is ({lo}, {hi}). Which "
        "interpretation is correct?",
        "term",
        _split(
            "the population mean | the difference in means | the population proportion | "
            "the regression slope"
        ),
        _split(
            "The procedure captures the true value in {cl} percent of samples | "
            "There is a {cl} percent probability the true value is in this interval | "
            "{cl} percent of the data lie in the interval | "
            "The sample mean is in the interval with certainty | "
            "The interval is too wide to be useful"
        ),
    ),
    T(
        "stats",
        "A regression of {term} on {n} observations gives R squared of 0.{r}. Which "
        "statement about the model is correct?",
        "term",
        _split(
            "sales on advertising spend | weight on height | yield on fertiliser | "
            "income on years of education | house price on floor area"
        ),
        _split(
            "The model explains part of the variance of the response | "
            "The predictor causes the response | The residuals must be zero | "
            "The slope is statistically significant | The correlation is negative"
        ),
    ),
    T(
        "stats",
        "A hypothesis test of {term} gives a p-value of 0.0{pv} at a significance level of "
        "0.05. What should the researcher conclude?",
        "term",
        _split(
            "a new teaching method | a drug's effect on recovery time | "
            "a change in website layout | a fertiliser's effect on yield"
        ),
        _split(
            "Reject the null hypothesis | Fail to reject the null hypothesis | "
            "Accept the null hypothesis | Increase the significance level | "
            "The test is invalid"
        ),
    ),
    T(
        "stats",
        "The distribution of {term} in a sample of {n} is strongly right-skewed. Which "
        "measure of centre should be reported?",
        "term",
        _split(
            "household incomes | waiting times | house prices | hospital stay lengths | "
            "insurance claims"
        ),
        _split("The median | The mean | The mode | The midrange | The standard deviation"),
    ),
    T(
        "stats",
        "To estimate {term} within {e} percentage points, a researcher plans a simple "
        "random sample. What sample size is needed at {cl} percent confidence?",
        "term",
        _split(
            "the share of voters who support a measure | "
            "the defect rate of a production line | the proportion of smokers in a city | "
            "the share of customers who renew"
        ),
        _split("{s1} | {s2} | {s3} | {s4} | It cannot be computed"),
    ),
)

NOUNS = {
    "sym": _split(
        "shortness of breath | chest pain | dizziness | new confusion | nausea | "
        "a headache | fatigue | swelling of the ankles"
    ),
    "drug": _split(
        "furosemide | metoprolol | lisinopril | metformin | warfarin | digoxin | "
        "prednisone | albuterol"
    ),
}

SYNONYMS = {
    "needs": "wants",
    "must": "has to",
    "company": "organisation",
    "Which": "What",
    "should": "must",
    "recommend": "suggest",
    "appropriate": "suitable",
    "correct": "right",
    "client": "patient",
    "take": "perform",
    "team": "group",
    "reports": "says",
    "first": "initially",
    "most": "the most",
    "records": "books",
    "requires": "needs",
    "statement": "sentence",
    "examine": "check",
    "option": "choice",
    "interpretation": "reading",
    "provides": "offers",
    "used": "applied",
    "estimate": "gauge",
    "conclude": "decide",
}

KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
_NUM_RE = re.compile(r"\d+")


@dataclass(frozen=True)
class Planted:
    """A planted pair: ``b`` was derived from ``a``. ``duplicate`` is the ground truth."""

    a: str
    b: str
    kind: str

    @property
    def duplicate(self) -> bool:
        return self.kind in DUPLICATE_KINDS


@dataclass
class SynthBank:
    """Question records (plain data in the DESIGN format) and the planted pairs."""

    records: list[dict[str, Any]]
    planted: list[Planted] = field(default_factory=list)

    def questions(self) -> list[Any]:
        """The records as qbank question models (in memory, location ``<memory>``)."""
        from qbank.model import QUESTION_ADAPTER

        return [QUESTION_ADAPTER.validate_python(r) for r in self.records]


# -- generation --------------------------------------------------------------------------------


def _slots(rng: random.Random) -> dict[str, str]:
    """Random values for every slot any template or scenario uses."""
    cl = rng.choice(("90", "95", "99"))
    lo = rng.randint(10, 60)
    return {
        "n": str(rng.randint(2, 950)),
        "m": str(rng.randint(2, 48)),
        "p": str(rng.choice((22, 80, 443, 3306, 5432, 8080, 100, 500, 1000))),
        "age": str(rng.randint(18, 95)),
        "hr": str(rng.randint(40, 160)),
        "d": str(rng.choice((5, 10, 20, 25, 40, 50, 100, 250, 500))),
        "h": str(rng.choice((5, 10, 25, 50, 125, 250))),
        "k": f"{rng.randint(25, 65) / 10:.1f}",
        "na": str(rng.randint(120, 155)),
        "bp": f"{rng.randint(80, 190)}/{rng.randint(40, 110)}",
        "o2": str(rng.randint(82, 99)),
        "l": str(rng.randint(1, 6)),
        "s": str(rng.randint(1, 90)),
        "y": str(rng.randint(3, 20)),
        "u": str(rng.randint(10, 900)),
        "v": str(rng.randint(10, 900)),
        "w": str(rng.randint(10, 500)),
        "c": str(rng.randint(2, 99)),
        "g": str(rng.randint(2, 6)),
        "cl": cl,
        "lo": str(lo),
        "hi": str(lo + rng.randint(2, 30)),
        "r": str(rng.randint(10, 99)),
        "pv": str(rng.randint(1, 9)),
        "e": str(rng.randint(1, 5)),
        "a": str(rng.randint(1, 99)),
        "b": str(rng.randint(1, 99)),
        "f": str(rng.randint(100, 9999)),
        "r1": f"{rng.randint(50, 400) / 100:.2f}",
        "r2": f"{rng.randint(50, 400) / 100:.2f}",
        "r3": f"{rng.randint(50, 400) / 100:.2f}",
        "s1": str(rng.randint(100, 2500)),
        "s2": str(rng.randint(100, 2500)),
        "s3": str(rng.randint(100, 2500)),
        "s4": str(rng.randint(100, 2500)),
        "region": rng.choice(FILL["region"]),
        "reg": rng.choice(FILL["reg"]),
        "cond": rng.choice(FILL["cond"]),
        "topic": rng.choice(FILL["topic"]),
        "sym": rng.choice(NOUNS["sym"]),
        "drug": rng.choice(NOUNS["drug"]),
    }


def _fill(text: str, slots: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: slots.get(m.group(1), m.group(0)), text)


@dataclass
class _Base:
    """What a variant needs to know about the question it was derived from."""

    template: Template
    slots: dict[str, str]
    prefix: str
    term: str
    options: list[str]
    key: int
    exam: int = 0


def _render(base: _Base, term: str | None = None) -> str:
    slots = dict(base.slots, term=_fill(term if term is not None else base.term, base.slots))
    body = _fill(base.template.body, slots)
    return _jargon(f"{base.prefix} {body}" if base.prefix else body, base.exam)


#: words an exam never replaces: what the variants and the detector's guards look for
_KEEP = frozenset(SYNONYMS) | {
    "should",
    "would",
    "could",
    "which",
    "what",
    "does",
    "will",
    "least",
    "first",
    "most",
    "best",
    "worst",
    "last",
    "always",
    "never",
    "none",
    "cannot",
    "except",
    "false",
    "incorrect",
}
_SYLLABLES = _split(
    "ka | lo | mi | ter | van | zu | pre | dor | sel | qui | rax | bel | tis | mon | "
    "gra | vek | ul | sen | pha | cor"
)
_WORD = re.compile(r"[A-Za-z]{4,}")


def _pseudo(exam: int, word: str) -> str:
    h = zlib.crc32(f"{exam}:{word.lower()}".encode())
    out = "".join(_SYLLABLES[(h >> (5 * k)) % len(_SYLLABLES)] for k in range(2 + h % 2))
    return out.capitalize() if word[0].isupper() else out


def _jargon(text: str, exam: int) -> str:
    """Exam ``exam``'s wording of a text: exam 0 is plain English; every other exam swaps a
    half of the longer words for its own pseudo-words, so exams (subjects) of a large bank
    use different vocabulary while questions within an exam stay as alike as in a real one."""
    if exam == 0:
        return text

    def swap(m: re.Match[str]) -> str:
        word = m.group()
        if word.lower() in _KEEP or zlib.crc32(f"{exam}?{word.lower()}".encode()) % 2:
            return word
        return _pseudo(exam, word)

    return _WORD.sub(swap, text)


def _record(qid: str, text: str, options: list[str], key: int) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "single",
        "text": text,
        "options": [{"text": o, "correct": True} if i == key else o for i, o in enumerate(options)],
    }


def _new_base(rng: random.Random, exam: int = 0) -> _Base:
    template = rng.choice(TEMPLATES)
    slots = _slots(rng)
    detail = " ".join(rng.choice(words) for words in DETAILS[template.domain]) + "."
    roll = rng.random()
    if roll < 0.45:  # a scenario
        org = rng.choice(ORGS[template.domain])
        prefix = f"{org} {_fill(rng.choice(SCENARIOS[template.domain]), slots)}."
    elif roll < 0.9:  # a sentence of background
        prefix = detail
    else:  # the bare template
        prefix = ""
    options = [_jargon(_fill(o, slots), exam) for o in rng.sample(template.options, 4)]
    options = list(dict.fromkeys(options))
    while len(options) < 4:  # filled pools can collide ("$12,000" twice)
        options.append(f"None of the other {len(options)} options")
    term = rng.choice(template.terms)
    return _Base(template, slots, prefix, term, options, rng.randrange(4), exam)


# -- variants -----------------------------------------------------------------------------------


def _typo(rng: random.Random, text: str, count: int = 1) -> str:
    words = text.split(" ")
    for _ in range(count):
        spots = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if not spots:
            break
        i = rng.choice(spots)
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        op = rng.randrange(4)
        if op == 0:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        elif op == 1:
            w = w[:j] + w[j + 1 :]
        elif op == 2:
            w = w[:j] + w[j] + w[j:]
        else:
            w = w[:j] + rng.choice(KEYBOARD) + w[j + 1 :]
        words[i] = w
    return " ".join(words)


def _reorder(rng: random.Random, base: _Base) -> str | None:
    """Move the question sentence before the scenario, or a trailing phrase to the front."""
    body = _render(base)
    sentences = re.split(r"(?<=[.?]) ", body)
    if len(sentences) >= 2:
        k = rng.randrange(1, len(sentences))
        return " ".join(sentences[k:] + sentences[:k])
    # one sentence: "Which X is best for a client with Y?" -> "For a client with Y, which X
    # is best?"
    m = re.search(r" (for|with|about|on|in|of) ", body[len(body) // 3 :])
    if m is None:
        return None
    cut = len(body) // 3 + m.start()
    head, tail = body[:cut], body[cut + 1 :].rstrip("?")
    return f"{tail[0].upper()}{tail[1:]}, {head[0].lower()}{head[1:]}?"


def _reword(rng: random.Random, text: str, count: int) -> str:
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if w in SYNONYMS]
    for i in rng.sample(spots, min(count, len(spots))):
        words[i] = SYNONYMS[words[i]]
    return " ".join(words)


def _reformat(rng: random.Random, text: str) -> str:
    """Case, punctuation, emphasis and spacing: nothing a reader would call a new question."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(words))
        op = rng.randrange(4)
        if op == 0:
            words[i] = words[i].upper()
        elif op == 1:
            words[i] = words[i].lower()
        elif op == 2 and words[i].isalpha():
            words[i] = f"**{words[i]}**"
        else:
            words[i] = words[i] + ","
    out = " ".join(words)
    if rng.random() < 0.5:
        out = out.replace(". ", ".\n", 1)
    return out.rstrip("?") + " ?"


def _change_number(rng: random.Random, text: str) -> str | None:
    found = list(_NUM_RE.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    old = int(m.group())
    new = old + rng.choice((1, 2, 5, 10, -1)) if old > 10 else old + rng.randint(1, 3)
    return text[: m.start()] + str(max(new, 0) if new != old else old + 1) + text[m.end() :]


_NEGATE = (
    (re.compile(r"\b(should|does|would|can|will) (the [\w-]+ |it |they |a [\w-]+ )?"), "NOT"),
    (re.compile(r"\b(is|are)( most| correct| the most)?\b"), "NOT"),
)


def _negate(text: str) -> str | None:
    """Insert "NOT" after the question's auxiliary verb (in the last sentence)."""
    cut = max(text.rfind(". "), text.rfind("? ", 0, len(text) - 1))
    head, tail = text[: cut + 2] if cut >= 0 else "", text[cut + 2 :] if cut >= 0 else text
    for pattern, word in _NEGATE:
        m = pattern.search(tail)
        if m:
            pos = m.end()
            return f"{head}{tail[:pos].rstrip()} {word} {tail[pos:].lstrip()}"
    return None


def generate(
    n: int,
    *,
    seed: int = 0,
    duplicate_rate: float = 0.05,
    negative_rate: float = 0.03,
    exam_size: int | None = 2000,
) -> SynthBank:
    """``n`` single-choice questions, ``duplicate_rate`` of them planted duplicates and
    ``negative_rate`` planted hard negatives (each derived from a random earlier question).

    ``exam_size``: a large bank holds many exams; question ``i`` belongs to exam
    ``i // exam_size``, and each exam words the templates with its own vocabulary (see
    :func:`_jargon`), so look-alikes per question stay near the same level as the bank grows.
    ``None`` puts every question in one closed vocabulary: the adversarial setting of
    notes/dedup.md, where look-alike pairs grow with the square of ``n``.
    """
    rng = random.Random(seed)
    bases: list[_Base] = []
    base_ids: list[str] = []
    records: list[dict[str, Any]] = []
    planted: list[Planted] = []
    n_dup = round(n * duplicate_rate)
    n_neg = round(n * negative_rate)
    kinds = [DUPLICATE_KINDS[i % len(DUPLICATE_KINDS)] for i in range(n_dup)]
    kinds += [NEGATIVE_KINDS[i % len(NEGATIVE_KINDS)] for i in range(n_neg)]
    kinds += [""] * (n - len(kinds))
    # the first tenth are always originals so every variant has something to copy
    head, tail = kinds[: n // 10], kinds[n // 10 :]
    rng.shuffle(tail)
    kinds = sorted(head, key=bool) + tail
    ids = [f"q{i:06d}" for i in range(n)]
    for i, kind in enumerate(kinds):
        qid = ids[i]
        record = None
        if kind and bases:
            j = rng.randrange(len(bases))
            record = _variant(rng, qid, kind, bases[j])
            if record is not None:
                records.append(record)
                planted.append(Planted(base_ids[j], qid, kind))
                continue
        # an original (also when a template cannot make the variant asked for)
        base = _new_base(rng, i // exam_size if exam_size else 0)
        bases.append(base)
        base_ids.append(qid)
        records.append(_record(qid, _render(base), base.options, base.key))
    return SynthBank(records, planted)


def _variant(rng: random.Random, qid: str, kind: str, base: _Base) -> dict[str, Any] | None:
    text = _render(base)
    options, key = list(base.options), base.key
    other_key = rng.choice([i for i in range(len(options)) if i != key])
    if kind == "typo":
        text = _typo(rng, text, 1 if rng.random() < 0.7 else 2)
    elif kind == "reorder":
        moved = _reorder(rng, base)
        if moved is None:
            return None
        text = moved
    elif kind == "reword":
        text = _reword(rng, text, rng.randint(1, 3))
    elif kind == "reword_typo":
        text = _typo(rng, _reword(rng, text, rng.randint(1, 2)))
    elif kind == "format":
        text = _reformat(rng, text)
    elif kind == "shuffled":
        order = list(range(len(options)))
        while order == sorted(order):
            rng.shuffle(order)
        options = [options[i] for i in order]
        key = order.index(key)
    elif kind == "number":
        changed = _change_number(rng, text)
        if changed is None:
            return None
        text = changed
        if rng.random() < 0.5:
            key = other_key
    elif kind == "negation":
        negated = _negate(text)
        if negated is None:
            return None
        text, key = negated, other_key
    elif kind == "keyterm":
        terms = [t for t in base.template.terms if t != base.term]
        text, key = _render(base, rng.choice(terms)), other_key
    return _record(qid, text, options, key)


# -- writing a bank -----------------------------------------------------------------------------


def _q(s: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _yaml(record: dict[str, Any]) -> Iterator[str]:
    yield f"  - id: {record['id']}"
    yield f"    type: {record['type']}"
    yield f"    text: {_q(record['text'])}"
    yield "    options:"
    for o in record["options"]:
        if isinstance(o, dict):
            yield f"      - text: {_q(o['text'])}"
            yield "        correct: true"
        else:
            yield f"      - {_q(o)}"


def write_bank(root: Path, synth: SynthBank, n_files: int = 20, *, seed: int = 0) -> Path:
    """Write ``synth`` as a bank under ``root``: qbank.yaml and ``n_files`` question files.

    Questions are spread over the files in a seeded random order, so a planted variant may
    sit in an earlier file than its original.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "qbank.yaml").write_text(
        "id: dedup-synthetic\ntitle: Synthetic bank with planted duplicates\n", encoding="utf-8"
    )
    order = list(range(len(synth.records)))
    random.Random(seed).shuffle(order)
    per_file = -(-len(order) // max(1, n_files))
    for f in range(n_files):
        chunk = order[f * per_file : (f + 1) * per_file]
        if not chunk:
            break
        lines = ["questions:"]
        for i in chunk:
            lines.extend(_yaml(synth.records[i]))
        (root / f"questions-{f:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
