from rostray.cli import main

raise SystemExit(main())
