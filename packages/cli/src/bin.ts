#!/usr/bin/env node
import { main } from './main.js'

main(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code
}, (error: unknown) => {
  process.stderr.write(`samsa: ${(error as Error).message}\n`)
  process.exitCode = 1
})
