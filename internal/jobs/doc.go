// Package jobs runs orgconfig's durable background work (account creation, aggregation, rule
// evaluation, deployment to member accounts, role deletion) from the job table of the store.
//
// # Lifecycle of a job
//
//  1. Enqueue. A service calls tx.Enqueue(store.Job{Kind, Key, Payload, RunAt}) inside the
//     store.Write that causes the work, so the job exists if and only if that write commits.
//     After the Write returns it may call Runner.Notify to start the job without waiting for
//     the next poll. A non-empty Key deduplicates: while a job of the same kind and key is
//     waiting, further enqueues are no-ops.
//  2. Claim. A Runner claims due jobs (RunAt <= now) of the kinds it has handlers for, with a
//     lease of Options.Lease. The claim increments the job's attempt counter. Several Runners,
//     in one process or in several replicas on one PostgreSQL database, never claim the same
//     job at the same time.
//  3. Run. The handler runs with a context that is canceled if the lease is lost. While it
//     runs the Runner extends the lease every Lease/3, so long jobs keep their lease.
//  4. Complete. A handler that returns nil has its job deleted (CompleteJob). A handler whose
//     effects are a single store write can instead complete the job inside that write
//     (tx.CompleteJob(job.Lease())): effects and completion then commit together, or not at
//     all if the lease was lost meanwhile.
//  5. Retry. A handler that returns an error (or panics) has its job released with RunAt moved
//     to now + backoff, where backoff doubles from Options.BackoffBase with each attempt up to
//     Options.BackoffMax, and the error kept as LastError.
//  6. Dead. After Options.MaxAttempts failed attempts, or at once for an error wrapped with
//     Permanent, the job is buried: kept in the table with its last error, visible through
//     store.JobQueue.ListJobs, logged at error level, and never run again.
//
// A worker that crashes between claim and completion simply lets its lease expire; another
// worker (or the same one restarted) claims the job again. Execution is therefore
// at-least-once: handlers must be idempotent, reading the current state and converging to the
// desired one rather than applying a delta. A job that crashes its worker every time still
// dies: attempts are counted at claim, and a job claimed more than MaxAttempts times is buried
// without running.
//
// # Time
//
// All time comes from Options.Clock. Production uses clock.System and Start, which polls every
// Options.PollInterval and on Notify. Tests use a clock.Manual and call RunDue, which runs every
// due job synchronously and returns; advancing the clock and calling RunDue again runs the
// retries whose backoff has elapsed. Nothing in this package sleeps on the wall clock.
//
// It must never run a job without a lease: a handler runs only after its claim, and its context
// is canceled as soon as the lease is lost. It knows no service: handlers are registered by kind.
package jobs
